"""`python -m kinlink_facility_example`, the same as `kinlink-facility-example`."""

from kinlink_facility_example.cli import main

raise SystemExit(main())
