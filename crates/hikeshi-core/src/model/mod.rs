//! The records Hikeshi keeps.

mod enums;
mod records;

pub use enums::*;
pub use records::*;
