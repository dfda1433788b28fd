//! The records Hikeshi keeps.

mod enums;
mod handling;
mod intake;
mod pgp;
mod records;

pub use enums::*;
pub use handling::*;
pub use intake::*;
pub use pgp::*;
pub use records::*;
