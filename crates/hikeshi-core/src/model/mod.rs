//! The records Hikeshi keeps.

mod enums;
mod pgp;
mod records;

pub use enums::*;
pub use pgp::*;
pub use records::*;
