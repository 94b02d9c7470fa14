//! A bare Leptos page: the floor Sextant's start-up and memory are measured against.

use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| view! { <h1 data-testid="hello">"Hello"</h1> });
}
