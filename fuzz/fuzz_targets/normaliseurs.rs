#![no_main]
//! Any text through every value normaliser.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        contingents::import::fuzz_one_value(s);
    }
});
