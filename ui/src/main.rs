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
    // A panic in wasm surfaces only as `unreachable`; say where it happened on the console.
    std::panic::set_hook(Box::new(|panic| web_sys::console::error_1(&panic.to_string().into())));
    ipc::Transport::detect().install();
    leptos::mount::mount_to_body(app::App);
}
