"""What a family member reads when a service refuses: one sentence per stable code, in their
language (the English here is the message id of the Spanish catalog)."""

from __future__ import annotations

from kinlink_kit.metrics import REFUSALS_SHOWN

from kinlink_portal.i18n import gettext


def N_(message: str) -> str:
    """Marks a sentence for translation where it is written; it is translated when shown."""
    return message


SENTENCES = {
    # Signing up and account details
    "email_invalid": N_("Enter an email address like name@example.com."),
    "email_taken": N_(
        "An account already uses this email address. Log in, or reset your password if you "
        "forgot it."
    ),
    "email_unchanged": N_("This is already your email address."),
    "password_too_weak": N_("Choose a password of at least 10 characters."),
    "password_incorrect": N_("This is not your current password."),
    "first_name_missing": N_("Enter your first name."),
    "first_name_too_long": N_("This name is too long."),
    "last_name_missing": N_("Enter your last name."),
    "last_name_too_long": N_("This name is too long."),
    "phone_invalid": N_("Enter a phone number with its country code, like +13125550100."),
    "phone_missing": N_("Enter your phone number."),
    "time_zone_unknown": N_("Choose your time zone from the list."),
    "address_incomplete": N_("Enter your full address: street, city, state, ZIP code and country."),
    "address_country_invalid": N_("Enter the country as two letters, like US."),
    "fields_missing": N_("Change at least one detail before saving."),
    # Fields left empty (said by the portal before it asks identity)
    "email_missing": N_("Enter your email address."),
    "password_missing": N_("Enter your password."),
    "address_line1_missing": N_("Enter the street address."),
    "address_city_missing": N_("Enter the city."),
    "address_region_missing": N_("Enter the state."),
    "address_postal_code_missing": N_("Enter the ZIP code."),
    "address_country_missing": N_("Enter the country as two letters, like US."),
    "time_zone_missing": N_("Choose your time zone from the list."),
    "facility_not_found": N_("We do not know this facility. Check its name and try again."),
    # Finding a resident
    "last_name_too_short": N_(
        "Enter at least 4 letters of the resident's last name, or the resident's ID number."
    ),
    # Logging in and emailed links
    "invalid_credentials": N_(
        "The email address or the password is not right. Check both and try again."
    ),
    "too_many_attempts": N_("Too many attempts. Wait a few minutes, then try again."),
    "account_not_activated": N_(
        "Your account is not active yet. Follow the link in the email we sent you when you "
        "signed up, or ask for a new one below."
    ),
    "account_closed": N_("This account is closed. You can ask for a link to reactivate it."),
    "account_already_active": N_("Your account is already active: you can log in."),
    "email_unsubscribed": N_(
        "You unsubscribed from Kinlink emails, so we cannot send you this link. Contact "
        "support to subscribe again."
    ),
    "token_invalid": N_("This link is not valid or was already used. Ask for a new one."),
    "token_expired": N_("This link has expired. Ask for a new one."),
    "id_verification_required": N_("We need to verify your identity first."),
    # Sessions and permissions
    "session_ended": N_("Your session has ended. Please log in again."),
    "token_missing": N_("Please log in to see this page."),
    "invalid_token": N_("Your session has ended. Please log in again."),
    "role_not_allowed": N_("Your account cannot do this."),
    "facility_out_of_scope": N_("This facility is not one of yours."),
    # The console
    "amount_invalid": N_("Enter an amount in dollars, like 300.00."),
    "facility_settings_invalid": N_("This setting is not valid. Check it and try again."),
    "concurrent_change": N_("Something changed at the same moment. Please try again."),
    # The messaging subscription
    "subscription_not_found": N_("You have not set up a messaging subscription yet."),
    "subscription_card_missing": N_(
        "Mark one of your cards to fund your messaging subscription first, on your cards page."
    ),
    "subscription_already_active": N_(
        "Your messaging subscription is already set up. Refill it once it is used up."
    ),
    "subscription_not_active": N_("Your messaging subscription is not active. Set it up first."),
    "wallet_not_depleted": N_(
        "You can refill your messaging subscription only once its balance is entirely used up."
    ),
    "funding_in_progress": N_(
        "A payment is still waiting for your bank. Confirm it with your bank, or finish it, first."
    ),
    "no_funding_in_progress": N_("There is no payment waiting to be finished."),
    "charge_processing": N_(
        "The card processor is still working on this payment. Check again in a few minutes."
    ),
    "facility_id_missing": N_("Choose a facility."),
    "funding_amount_missing": N_("Choose an amount."),
    "funding_amount_not_offered": N_("Choose one of the amounts listed."),
    "insufficient_credit": N_("Your messaging balance is too low for this. Refill it first."),
    # Commissary allowances
    "allowance_not_found": N_("We do not know this allowance."),
    "resident_id_missing": N_("Enter the resident's ID number."),
    "end_outcome_unknown": N_(
        "The card processor did not answer. Try again: nothing will be charged twice."
    ),
    # Cards
    "card_choice_missing": N_("Choose a card."),
    "payment_method_missing": N_("Choose a card."),
    "payment_method_unknown": N_(
        "Our card processor does not know this card. Check it, or use another card."
    ),
    "payment_method_not_a_token": N_("Enter your card in the card fields, never as a number."),
    "payment_method_not_found": N_(
        "We do not know this card yet. If you just added it, wait a minute and try again."
    ),
    "prepaid_not_supported": N_("Prepaid cards are not accepted. Use a credit or debit card."),
    "card_brand_not_accepted": N_(
        "This facility does not accept cards of this brand. Use another card."
    ),
    "card_expired": N_("This card has expired. Check the expiry date, or use another card."),
    "exp_month_invalid": N_("Enter the expiry month as a number from 1 to 12."),
    "exp_year_invalid": N_("Enter the expiry year as four digits, like 2029."),
    "card_not_found": N_("We could not find this card. It may have been removed."),
    "card_funds_messaging_subscription": N_(
        "This card funds your messaging subscription. Choose another card for the "
        "subscription, or cancel the subscription, then try again."
    ),
    "card_processor_unavailable": N_(
        "We could not reach our card processor. Please try again in a few minutes."
    ),
    "processor_unavailable": N_(
        "We could not reach our card processor. Please try again in a few minutes."
    ),
    # Deposits
    "amount_not_positive": N_("Enter an amount of more than $0.00."),
    "amount_above_largest_deposit": N_(
        "This is more than one deposit can be at this facility. Enter a smaller amount."
    ),
    "amount_out_of_range": N_("Enter a smaller amount."),
    "quote_not_found": N_("This price is no longer available. Start again from the amount."),
    "quote_expired": N_("This price expired before you confirmed. Start again to get a new one."),
    "resident_not_found": N_(
        "We could not find this resident. They may have been released or moved: search again."
    ),
    "resident_released": N_(
        "This resident has been released: money and messages can no longer be sent."
    ),
    "resident_transferred": N_(
        "This resident moved to another facility. Find them again to send money there."
    ),
    "limit_exceeded": N_("This is more than the resident can receive this week."),
    "card_declined": N_("Your bank declined the card. Use another card, or call your bank."),
    "insufficient_funds": N_(
        "Your bank declined the card: there is not enough money on it. Use another card."
    ),
    "expired_card": N_("Your bank says this card has expired. Use another card."),
    "payer_authentication_failed": N_(
        "Your bank did not confirm the payment, so your card was not charged. Try again, or use "
        "another card."
    ),
    "payer_authentication_unavailable": N_(
        "Your bank's check could not be completed, so your card was not charged. Use another "
        "card, or try again later."
    ),
    "payment_refused": N_(
        "Our card processor refused this payment. Try again later, or use another card."
    ),
    "charge_outcome_unknown": N_(
        "We did not hear back from the card processor. Try again: you are never charged twice."
    ),
    # Residents, in the console
    "resident_id_invalid": N_("Enter the ID number without spaces, in at most 64 characters."),
    "resident_first_name_missing": N_("Enter the resident's first name."),
    "resident_last_name_missing": N_("Enter the resident's last name."),
    "resident_not_in_custody": N_("This resident is no longer held at this facility."),
    "resident_already_booked": N_("A resident with this ID number is already held there."),
    "to_facility_id_missing": N_("Choose the facility the resident goes to."),
    "to_facility_id_invalid": N_("Choose the facility the resident goes to."),
    "to_resident_id_invalid": N_("Enter the ID number without spaces, in at most 64 characters."),
    "transfer_to_same_facility": N_("Choose another facility than the one the resident is in."),
    "to_facility_out_of_scope": N_(
        "This facility is not one of yours: an officer there, or an operator, makes this transfer."
    ),
    "number_invalid": N_("Enter a whole number, like 4."),
    # Staff accounts
    "staff_email_missing": N_("Enter their email address."),
    "staff_password_missing": N_("Choose a password for them."),
    "staff_first_name_missing": N_("Enter their first name."),
    "staff_last_name_missing": N_("Enter their last name."),
    "roles_missing": N_("Tick at least one role."),
    "role_unknown": N_("Tick the roles from the list."),
    "role_not_staff": N_("Tick the roles from the list."),
    "facility_required": N_("Tick the facilities an officer or integration acts for."),
    "facility_not_applicable": N_("Operators and auditors act for every facility: tick none."),
    "account_id_missing": N_("Enter the account's ID."),
    "account_not_found": N_("No account has this ID."),
    "not_a_staff_account": N_("This is a family member's account, not a staff account."),
    # Verifying a family member's identity
    "legal_first_name_missing": N_("Enter your first name as it is on your ID."),
    "legal_last_name_missing": N_("Enter your last name as it is on your ID."),
    "legal_first_name_too_long": N_("This name is too long."),
    "legal_last_name_too_long": N_("This name is too long."),
    "date_of_birth_missing": N_("Enter your date of birth."),
    "date_of_birth_invalid": N_("Enter your date of birth as a real date, like 1980-04-30."),
    "under_age": N_("You must be 18 or older to send money."),
    "ssn_missing": N_("Enter your Social Security number."),
    "ssn_invalid": N_("Enter the 9 digits of your Social Security number, like 123-45-6789."),
    "id_verification_failed": N_(
        "We could not verify your identity with these details. Check them against your ID and "
        "try again."
    ),
    "id_already_verified": N_("Your identity is already verified."),
    # Lists in the console
    "page_token_invalid": N_(
        "This link to a page of the list is out of date. Start again from the first page."
    ),
    # Messages and their photos
    "messaging_switched_off": N_("This facility does not take messages at the moment."),
    "resident_blocked": N_(
        "You blocked this resident. Unblock them on the Blocked residents page to write again."
    ),
    "wallet_unavailable": N_(
        "Your messaging balance cannot be reached just now: nothing was sent or charged. Try "
        "again in a minute."
    ),
    "message_not_found": N_("We cannot find this message."),
    "message_expired": N_(
        "This message expired 14 days after it was read and can no longer be opened."
    ),
    "message_already_decided": N_(
        "Another officer already approved or rejected this message: nothing was changed."
    ),
    "message_not_pending_review": N_("This message is not waiting for review."),
    "rejection_reason_missing": N_("Say why the message is rejected: the sender reads it."),
    "body_missing": N_("Write a message, or add a photo."),
    "body_too_long": N_("A message can be at most 6,000 characters. Shorten it."),
    "draft_not_found": N_("We cannot find this draft. It may have been sent or deleted."),
    "client_key_missing": N_("This form has expired. Please try again."),
    "no_prior_correspondence": N_(
        "The resident can only reply to someone who wrote to them first."
    ),
    "collect_message_unpaid": N_("Pay for this collect message to open it."),
    "image_gone": N_("This photo is no longer kept."),
    "image_type_not_allowed": N_("This facility takes only JPEG and PNG photos."),
    "image_type_mismatch": N_(
        "This file is not the kind of picture its name says. Choose a JPEG or PNG photo."
    ),
    "image_corrupt": N_("This photo could not be opened. Choose another one."),
    "image_too_large": N_("This photo is too large. Choose a smaller one."),
    "image_too_small": N_("This photo is too small for the facility. Choose a larger one."),
    "image_too_big": N_("This photo is too wide or too tall for the facility."),
    "image_decompression_bomb": N_("This photo is too large to open. Choose another one."),
    "too_many_images": N_("This facility takes fewer photos per message. Remove some."),
    "image_heic_unsupported": N_(
        "Photos in HEIC format are not accepted. Choose JPEG in your phone's camera settings, "
        "or send a screenshot of the photo."
    ),
    # SMS notifications
    "phone_number_missing": N_("Enter your mobile phone number."),
    "phone_number_invalid": N_("Enter a US mobile phone number, like (312) 555-0100."),
    "phone_number_opted_out": N_(
        "This phone replied STOP to Kinlink. Text START from it to Kinlink's number first, or "
        "enter another number."
    ),
    "phone_number_unreachable": N_(
        "We could not reach this number by text: your phone company does not pass our texts "
        "to it. Try another mobile number."
    ),
    "sms_no_prior_correspondence": N_(
        "Write to this resident first: text messages can be set up only for a resident you "
        "have written to."
    ),
    "sms_unavailable": N_("This facility does not offer text messages."),
    "verification_not_started": N_("Enter your phone number first: we then text you a code."),
    "verification_code_wrong": N_(
        "This is not the code we sent. Check the text and try again (the tries left are shown "
        "above)."
    ),
    "verification_code_expired": N_("This code has expired. Ask for a new code."),
    "verification_attempts_exhausted": N_(
        "This code was entered wrong too many times. Enter your number again for a new code."
    ),
    "verification_resend_too_soon": N_(
        "We sent you a code a moment ago. Wait until the time shown, then ask for a new one."
    ),
    "sms_subscription_not_found": N_("You have not set up text messages for this resident."),
    "sms_numbers_exhausted": N_(
        "We cannot set up text messages for another resident on this phone number right now. "
        "Contact support."
    ),
    "carrier_unavailable": N_(
        "We could not reach our text message provider. Please try again in a few minutes."
    ),
    "code_missing": N_("Enter the six-digit code we texted you."),
    "consent_version_unknown": N_(
        "The words you agreed to have changed. Read them again, then ask for a new code."
    ),
    # Commissary packs: the facility's decision on a pack whose resident left
    "pack_decision_unknown": N_("Choose what the facility did with the pack."),
    "pack_already_decided": N_(
        "Another decision is already recorded for this pack. Reload the page to see it."
    ),
    "resident_not_left": N_("The resident is still at the facility: the pack is theirs."),
    "note_too_long": N_("Keep the note to 500 characters."),
    # Commissary
    "allowance_id_reused": N_(
        "This allowance was already given with other details. Open the allowance page again "
        "and start over."
    ),
    "commissary_unavailable": N_("This facility does not offer commissary through Kinlink."),
    "catalog_not_found": N_("This facility's commissary has nothing to order yet."),
    "catalog_row_invalid": N_("Some rows of the catalog file are wrong: nothing was imported."),
    "item_not_found": N_("One of these items is no longer sold. Remove it and try again."),
    "item_unavailable": N_("One of these items is no longer sold. Remove it and try again."),
    "quantity_invalid": N_("Enter each quantity as a whole number, such as 1 or 2."),
    "quantity_above_item_limit": N_(
        "One of these items is ordered more times than one order may hold: lower its quantity."
    ),
    "too_many_items": N_("This order holds more items than the facility takes in one order."),
    "order_limit_exceeded": N_(
        "This order comes to more than the facility takes in one order. Remove some items."
    ),
    "order_lines_missing": N_("Choose at least one item."),
    "order_line_repeated": N_("An item is listed twice. Give each item once, with its quantity."),
    "order_id_reused": N_("This order was already placed with other items. Start a new order."),
    "order_not_found": N_("We do not know this order."),
    "order_not_changeable": N_(
        "Only orders showing as Ready to Process or Incomplete can be changed or cancelled."
    ),
    "order_being_processed": N_(
        "The facility's orders are being charged right now: this order can no longer be "
        "changed or cancelled."
    ),
    "charge_in_progress": N_("This order is being charged. Check again in a few minutes."),
    "authentication_required": N_(
        "Your bank wants to check this payment with you, which cannot be done for a commissary "
        "order. Use another card."
    ),
    "order_not_paid": N_("This order is not paid yet."),
    "decision_invalid": N_("Choose what the facility did with the pack."),
    "ledger_unavailable": N_(
        "We could not reach our payment system. Nothing was charged. Please try again in a few "
        "minutes."
    ),
    "vendor_missing": N_("Enter the commissary company's name."),
    "catalog_file_invalid": N_("The catalog file cannot be read: save it as CSV in UTF-8."),
    "order_limit_invalid": N_("Enter the most an order may come to, more than $0."),
    "max_items_invalid": N_("Enter how many items an order may hold, 1 or more."),
    "page_size_invalid": N_("Ask for between 1 and 200 rows a page."),
    "posting_run_not_found": N_("This facility's orders did not post on that day."),
    "run_date_invalid": N_("Enter the date as YYYY-MM-DD."),
    # Video visits
    "visit_not_found": N_("We do not know this video visit."),
    "visit_id_reused": N_(
        "This visit was already booked with other details. Choose the time again and start over."
    ),
    "visit_not_cancellable": N_(
        "This visit can no longer be cancelled: only a scheduled visit that has not started can."
    ),
    "visit_not_in_progress": N_("This visit is not under way: there is nothing to end."),
    "visit_not_open": N_(
        "You can connect from 5 minutes before the visit starts until its time is over."
    ),
    "slot_not_offered": N_("No visit starts then. Choose one of the free times."),
    "slot_minutes_not_offered": N_("Choose one of the lengths the facility offers."),
    "resident_busy": N_("The resident already has a visit at this time. Choose another time."),
    "visitor_busy": N_("You already have a visit at this time. Choose another time."),
    "no_station_free": N_(
        "This time was just taken: every video station is busy then. Choose another time."
    ),
    "facility_closed": N_(
        "The facility is not open for video visits right now, or closes before a visit would end."
    ),
    "before_booking_lead_time": N_(
        "Visits must be booked ahead of time: choose a later time, or use Direct Dial."
    ),
    "beyond_booking_horizon": N_("This day is too far ahead: choose an earlier one."),
    "date_blacked_out": N_("The facility has no visits on this day."),
    "date_past": N_("This day has passed: choose another."),
    "no_visiting_hours": N_("The facility has no visiting hours on this day of the week."),
    "date_invalid": N_("Choose a day from the calendar."),
    "kind_missing": N_("Choose whether you visit from home or at the facility."),
    "starts_at_missing": N_("Choose one of the free times."),
    "video_visits_unavailable": N_("This facility does not offer video visits through Kinlink."),
    "numbers_invalid": N_("Enter whole numbers separated by commas, such as 15, 30."),
    "dates_invalid": N_("Enter dates as YYYY-MM-DD, separated by commas."),
    "video_price_above_cap": N_(
        "This price per minute is above the FCC's cap for a facility of this kind and size."
    ),
    "note_missing": N_("Say why the visit is cancelled: the family is shown it."),
    "reason_missing": N_("Give the reason: the family is shown it."),
    "reason_invalid": N_("Choose the reason from the list."),
    "side_invalid": N_("Choose which side of the visit joins."),
    "video_unavailable": N_("We could not reach the video service. Please try again in a minute."),
    "video_token_refused": N_(
        "The video room did not let you in: its time may be over. Reload the page to try again."
    ),
    "problem_missing": N_("Choose what went wrong."),
    "description_invalid": N_("Keep the description to 2,000 characters."),
    "visit_not_ended": N_("A refund can be asked for once the visit has ended."),
    "nothing_to_refund": N_(
        "Nothing is left to refund for this visit: it was not charged, or was credited in full."
    ),
    "refund_request_id_reused": N_(
        "This request was already sent with other details. Open the refund page again."
    ),
    "refund_request_not_found": N_("We do not know this refund request."),
    "refund_request_decided": N_(
        "This request was already decided. Reload the page to see the decision."
    ),
    "amount_above_refundable": N_(
        "This is more than the visit was charged, less what was already credited."
    ),
    "credit_above_charged": N_(
        "This is more than the visit was charged, less what was already credited."
    ),
}
GENERIC = N_("We could not accept this. Check what you entered and try again.")
FORM_EXPIRED = N_("This form has expired. Please try again.")


def sentence(code: str) -> str:
    """The sentence for a refusal's code, in the current language (counted as said)."""
    REFUSALS_SHOWN.labels(code if code in SENTENCES else "unknown").inc()
    return gettext(SENTENCES.get(code, GENERIC))
