//! One integration binary: each module drives the `contingents` binary or the core on
//! files made by the test itself, in its own temporary directory.

mod architecture;
mod bad_input;
mod chemins;
mod cia;
mod common;
mod conventions;
mod documents;
mod dossier;
mod etat_des_lieux;
mod faults;
mod feuilles;
mod fuzz;
mod import_rules;
mod remplacements;
mod robustesse;
mod sample;
mod signataires;
mod suivi;
mod xlsb;
