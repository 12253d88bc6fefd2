// The bank's check of a payment (3-D Secure) through Stripe.js: it shows the bank's page, then
// the completion form is sent, and the ledger asks Stripe how the payment ended. Without
// script, the visitor presses Continue after answering their bank.
document.addEventListener("DOMContentLoaded", async () => {
  const place = document.getElementById("payer-authentication");
  const done = document.getElementById("payer-authentication-done");
  if (!place || !done || typeof Stripe === "undefined") {
    return;
  }
  const stripe = Stripe(place.dataset.stripeKey);
  await stripe.handleNextAction({ clientSecret: place.dataset.clientSecret });
  done.submit();
});
