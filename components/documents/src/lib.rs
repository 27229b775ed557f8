pub mod pades;
