"""The words a family member agrees to when turning SMS notifications on, by version.

The portal shows them and sends back the version shown; the SMS gateway records that version
and its words with the consent (when, which number). A change of wording is a new version
added here: the old ones stay, so consent given to them still reads as it was shown.
"""

from __future__ import annotations

SMS_CONSENT_WORDS = {
    "2026-12": (
        "I agree to receive SMS from Kinlink at this number with the messages residents send "
        "me, and to be charged for each SMS segment sent or received at the facility's message "
        "price. Message frequency varies. Msg&data rates may apply. Reply STOP to stop, HELP "
        "for help."
    ),
}
# What the portal shows now.
CURRENT_SMS_CONSENT_VERSION = "2026-12"
