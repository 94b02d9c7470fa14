//! `sextant-desktop`: starts the window; everything else is in the library.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    sextant_desktop::run();
}
