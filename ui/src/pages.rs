//! One page per view.

pub(crate) mod drift;
pub(crate) mod lattice;
pub(crate) mod overview;
pub(crate) mod policies;
pub(crate) mod routes;
pub(crate) mod vault;

use leptos::prelude::*;
use sextant_protocol::CommandError;

use crate::components::{ErrorPanel, Loading};

/// Renders `resource` with `render` once loaded: a spinner while loading (keeping the old
/// content during reloads) and an error panel on failure.
pub(crate) fn loaded<T, V>(
    resource: LocalResource<Result<T, CommandError>>,
    render: impl Fn(T) -> V + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(data) => render(data).into_any(),
                    Err(error) => view! { <ErrorPanel error=error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
