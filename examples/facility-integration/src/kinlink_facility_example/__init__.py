"""An example facility system: what a jail's booking, trust-account and commissary systems publish
to Kinlink and what they follow from it."""
