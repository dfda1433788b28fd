//! Pure parsers for machine-readable abuse reports (X-ARF, ARF, IODEF); filled in next.
