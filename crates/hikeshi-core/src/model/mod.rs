//! The records Hikeshi keeps.

mod enums;
mod intake;
mod records;

pub use enums::*;
pub use intake::*;
pub use records::*;
