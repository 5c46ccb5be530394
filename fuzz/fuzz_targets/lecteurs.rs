#![no_main]
//! Any bytes through the file readers, header detection and row normalisation: an error
//! is fine, a panic is a bug.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    contingents::import::fuzz_one_file(data);
});
