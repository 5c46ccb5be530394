//! Contingents: consolidate the bailleurs' états des lieux des réservations of social
//! housing, and compute the gestion en flux. This crate root is the domain core; it knows
//! nothing of windows. The command line (`cli`) and the window (`ui`) are thin faces on it.

pub mod charts;
pub mod consolidate;
pub mod demo;
pub mod export;
pub mod fichier;
pub mod flux;
pub mod format;
pub mod hasard;
pub mod import;
pub mod model;
pub mod rapprochement;
pub mod reference;
pub mod sha256;
pub mod store;
pub mod suivi;
pub mod text;
