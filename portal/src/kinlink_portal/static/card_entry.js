// Stripe's card fields (Elements): the card number is typed into Stripe's own frame and turned
// into a PaymentMethod there; only its pm_... id is posted to Kinlink (decision 0025).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-stripe-form]");
  const mount = document.getElementById("card-element");
  if (!form || !mount || typeof Stripe === "undefined") {
    return;
  }
  const stripe = Stripe(mount.dataset.stripeKey);
  const card = stripe.elements().create("card", { hidePostalCode: true });
  card.mount(mount);
  const said = document.getElementById("card-element-error");
  form.addEventListener("submit", async (event) => {
    const token = form.elements.namedItem("payment_method");
    if (token.value) {
      return;
    }
    event.preventDefault();
    const { paymentMethod, error } = await stripe.createPaymentMethod({ type: "card", card });
    if (error) {
      said.textContent = error.message;
      return;
    }
    token.value = paymentMethod.id;
    form.submit();
  });
});
