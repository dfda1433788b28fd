//! IODEF v2 (RFC 7970): not yet implemented.

use crate::{Error, Structured};

pub fn parse(_bytes: &[u8]) -> Result<Structured, Error> {
    Err(Error::invalid("iodef", "IODEF is not supported yet"))
}
