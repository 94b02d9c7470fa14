//! One handler per protocol command. Each is three lines: take the request, call the app, return
//! the protocol response or `{code, message}`. The contract test checks that the list below is
//! exactly `sextant_protocol::COMMAND_NAMES`.

use sextant_app::{Cockpit, Handle};
use sextant_protocol::{
    CommandError, drift, gateway, git, overview, policy, search, session, vault, wasmcloud,
};
use tauri::{Runtime, State, ipc::Invoke};

/// Every handler, for `invoke_handler`.
pub(crate) fn handlers<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        get_session,
        select_source,
        get_overview,
        get_view_status,
        list_git_ops_apps,
        get_drift_diff,
        list_policies,
        list_routes,
        get_traffic_graph,
        get_graph_node,
        list_gateway_diagnostics,
        explain_route,
        get_vault_inventory,
        get_vault_access,
        who_can_reach,
        get_lattice,
        search,
        get_git_context,
    ]
}

#[tauri::command]
async fn get_session(
    cockpit: State<'_, Cockpit>,
    request: session::GetSession,
) -> Result<session::Session, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn select_source(
    cockpit: State<'_, Cockpit>,
    request: session::SelectSource,
) -> Result<session::Session, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_overview(
    cockpit: State<'_, Cockpit>,
    request: overview::GetOverview,
) -> Result<overview::Overview, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_view_status(
    cockpit: State<'_, Cockpit>,
    request: overview::GetViewStatus,
) -> Result<overview::ViewStatus, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn list_git_ops_apps(
    cockpit: State<'_, Cockpit>,
    request: drift::ListGitOpsApps,
) -> Result<drift::GitOpsApps, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_drift_diff(
    cockpit: State<'_, Cockpit>,
    request: drift::GetDriftDiff,
) -> Result<drift::DriftDiff, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn list_policies(
    cockpit: State<'_, Cockpit>,
    request: policy::ListPolicies,
) -> Result<policy::PolicyInventory, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn list_routes(
    cockpit: State<'_, Cockpit>,
    request: gateway::ListRoutes,
) -> Result<gateway::RouteInventory, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_traffic_graph(
    cockpit: State<'_, Cockpit>,
    request: gateway::GetTrafficGraph,
) -> Result<gateway::TrafficView, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_graph_node(
    cockpit: State<'_, Cockpit>,
    request: gateway::GetGraphNode,
) -> Result<gateway::NodeDetails, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn list_gateway_diagnostics(
    cockpit: State<'_, Cockpit>,
    request: gateway::ListGatewayDiagnostics,
) -> Result<gateway::DiagnosticsPage, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn explain_route(
    cockpit: State<'_, Cockpit>,
    request: gateway::ExplainRoute,
) -> Result<gateway::RouteExplanation, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_vault_inventory(
    cockpit: State<'_, Cockpit>,
    request: vault::GetVaultInventory,
) -> Result<vault::VaultInventory, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_vault_access(
    cockpit: State<'_, Cockpit>,
    request: vault::GetVaultAccess,
) -> Result<vault::VaultAccess, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn who_can_reach(
    cockpit: State<'_, Cockpit>,
    request: vault::WhoCanReach,
) -> Result<vault::Reachers, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_lattice(
    cockpit: State<'_, Cockpit>,
    request: wasmcloud::GetLattice,
) -> Result<wasmcloud::Lattice, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn search(
    cockpit: State<'_, Cockpit>,
    request: search::Search,
) -> Result<search::SearchResults, CommandError> {
    cockpit.handle(request).await
}

#[tauri::command]
async fn get_git_context(
    cockpit: State<'_, Cockpit>,
    request: git::GetGitContext,
) -> Result<git::GitContext, CommandError> {
    cockpit.handle(request).await
}

#[cfg(test)]
mod tests {
    use sextant_app::{Cockpit, Source};
    use tauri::{
        test::{INVOKE_KEY, get_ipc_response, mock_builder, mock_context, noop_assets},
        webview::InvokeRequest,
    };

    fn invoke_body(name: &str, request: &serde_json::Value) -> InvokeRequest {
        InvokeRequest {
            cmd: name.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(serde_json::json!({ "request": request })),
            headers: tauri::http::HeaderMap::default(),
            invoke_key: INVOKE_KEY.to_string(),
        }
    }

    /// Every protocol command is registered and round-trips through the real IPC path.
    #[test]
    fn every_protocol_command_is_registered_and_round_trips() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let cockpit = runtime.block_on(Cockpit::start(Some(Source::Demo)));
        let app = crate::app(mock_builder(), cockpit).build(mock_context(noop_assets())).unwrap();
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
            .build()
            .unwrap();
        let requests = [
            ("get_session", serde_json::json!({})),
            ("select_source", serde_json::json!({"source": "demo"})),
            ("get_overview", serde_json::json!({})),
            ("get_view_status", serde_json::json!({"view": "routes"})),
            ("list_git_ops_apps", serde_json::json!({})),
            ("get_drift_diff", serde_json::json!({})),
            ("list_policies", serde_json::json!({"cluster": "prod-eu"})),
            ("list_routes", serde_json::json!({})),
            ("get_traffic_graph", serde_json::json!({"cluster": "prod-eu"})),
            (
                "get_graph_node",
                serde_json::json!({"cluster": "prod-eu", "id": "prod-eu|Gateway/infra/public"}),
            ),
            (
                "list_gateway_diagnostics",
                serde_json::json!({"query": "error", "offset": 0, "limit": 50}),
            ),
            (
                "explain_route",
                serde_json::json!({"cluster": "prod-eu", "protocol": "HTTPS", "gateway": "infra/public", "port": 443, "host": "shop.northwind.example", "path": "/"}),
            ),
            ("get_vault_inventory", serde_json::json!({})),
            ("get_vault_access", serde_json::json!({})),
            (
                "who_can_reach",
                serde_json::json!({"path": "sys/policies/acl/x", "capability": "update"}),
            ),
            ("get_lattice", serde_json::json!({})),
            ("search", serde_json::json!({"query": "checkout"})),
            (
                "get_git_context",
                serde_json::json!({"repository": "https://git.northwind.example/platform/northwind-fleet.git", "path": "apps"}),
            ),
        ];
        let names: Vec<&str> = requests.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            sextant_protocol::COMMAND_NAMES,
            "the test covers exactly the protocol's commands"
        );
        for (name, request) in requests {
            let response = get_ipc_response(&webview, invoke_body(name, &request));
            let body = response.unwrap_or_else(|error| panic!("{name} failed: {error:?}"));
            let value: serde_json::Value = body.deserialize().unwrap();
            assert!(value.is_object(), "{name} answers a JSON object, got {value}");
        }
        // A typed error reaches the UI as {code, message}.
        let refused = get_ipc_response(
            &webview,
            invoke_body("select_source", &serde_json::json!({"source": "mars"})),
        );
        let error = refused.expect_err("an unknown source is refused");
        assert_eq!(error["code"], "not_found", "the UI branches on the code: {error}");
    }
}
