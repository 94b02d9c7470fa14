//! A bare Tauri 2 window showing the hello page: the floor for Sextant's start-up and memory.

fn main() {
    tauri::Builder::default().run(tauri::generate_context!()).expect("the window opens");
}
