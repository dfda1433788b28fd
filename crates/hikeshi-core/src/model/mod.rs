//! The records Hikeshi keeps.

mod enums;
mod handling;
mod pgp;
mod records;

pub use enums::*;
pub use handling::*;
pub use pgp::*;
pub use records::*;
