//! The records Hikeshi keeps.

mod enums;
mod handling;
mod records;

pub use enums::*;
pub use handling::*;
pub use records::*;
