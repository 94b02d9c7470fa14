//! Sextant's UI, compiled to WebAssembly. It depends only on the protocol crate (plus Leptos and
//! the web bindings): every datum arrives through [`ipc::invoke`], typed.
#![allow(clippy::must_use_candidate, reason = "Leptos components return views by design")]
#![allow(unreachable_pub, reason = "Leptos's #[component] expands to pub props structs")]

mod app;
mod components;
mod ipc;
mod jwt;
mod pages;
mod state;
mod view_model;

fn main() {
    ipc::Transport::detect().install();
    leptos::mount::mount_to_body(app::App);
}
