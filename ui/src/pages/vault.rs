//! Vault or OpenBao: effective permissions per subject (a capability matrix with the deciding
//! rule of every cell, shadowed denies and escalation findings), who can reach a path, the
//! ServiceAccount chain with its token dangers, a local JWT decoder, and the inventory.

use leptos::prelude::*;
use sextant_protocol::vault::{
    AccessRow, GetVaultAccess, GetVaultInventory, Reachers, VaultAccess, VaultInventory,
    WhoCanReach,
};

use crate::{
    components::{Badge, DataTable, Empty, Stat},
    ipc, jwt,
    pages::loaded,
    state::use_app_state,
    view_model::{Cell, Row, Tone},
};

fn severity_tone(severity: &str) -> Tone {
    match severity {
        "critical" | "high" => Tone::Bad,
        "medium" => Tone::Warn,
        _ => Tone::Neutral,
    }
}

fn kind_singular(kind: &str) -> &'static str {
    match kind {
        "auth_role" => "Auth role",
        "token_role" => "Token role",
        "service_account" => "ServiceAccount",
        "entity" => "Entity",
        "group" => "Group",
        _ => "Other",
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "auth_role" => "Auth roles",
        "token_role" => "Token roles",
        "service_account" => "ServiceAccounts",
        "entity" => "Entities",
        "group" => "Groups",
        _ => "Other",
    }
}

/// The `secret/` of `secret/data/app`, and the rest.
fn split_mount(path: &str) -> (String, String) {
    match path.find('/') {
        Some(slash) => (path[..=slash].to_owned(), path[slash + 1..].to_owned()),
        None => (path.to_owned(), String::new()),
    }
}

/// A deny that lost to a rule granting something: the deny does not apply here (vault#8813).
fn has_shadowed_deny(row: &AccessRow) -> bool {
    row.capabilities != ["deny"]
        && row.shadowed.iter().any(|shadowed| shadowed.capabilities == ["deny"])
}

fn cell_title(row: &AccessRow) -> String {
    match &row.decided_by {
        Some(decided) => match &decided.pattern {
            Some(pattern) => format!(
                "{}: decided by {pattern} ({}) from {}; {}",
                row.capabilities.join(", "),
                decided.kind,
                decided.policies.join(", "),
                decided.why.clone().unwrap_or_default()
            ),
            None => "root policy: everything".to_owned(),
        },
        None => "no rule matches: deny".to_owned(),
    }
}

/// The Vault page.
#[component]
pub(crate) fn VaultPage() -> impl IntoView {
    let state = use_app_state();
    let inventory = ipc::resource(state.refresh, || GetVaultInventory {});
    let subject = RwSignal::new(None::<String>);
    let extra_paths = RwSignal::new(Vec::<String>::new());
    let access = ipc::resource(state.refresh, move || GetVaultAccess {
        subject: subject.get(),
        paths: extra_paths.get(),
    });
    let selected = RwSignal::new(None::<String>);
    let reach_path = RwSignal::new(String::new());
    let reach_capability = RwSignal::new("read".to_owned());
    let reach_query = RwSignal::new(None::<(String, String)>);
    let reach = LocalResource::new(move || {
        let query = reach_query.get();
        async move {
            match query {
                Some((path, capability)) => {
                    Some(ipc::invoke(&WhoCanReach { path, capability }).await)
                }
                None => None,
            }
        }
    });
    let ask_reach = move |path: String, capability: String| {
        reach_path.set(path.clone());
        reach_capability.set(capability.clone());
        reach_query.set(Some((path, capability)));
    };
    view! {
        {loaded(inventory, |inventory: VaultInventory| header(&inventory))}
        {loaded(access, move |access: VaultAccess| {
            if access.subjects.is_empty() {
                return ().into_any();
            }
            access_section(&access, subject, extra_paths, selected, ask_reach).into_any()
        })}
        <section class="panel" data-testid="vault-who-can">
            <header class="panel-head"><h2>"Who can reach this path"</h2>
                <span class="muted small">"across every role, token role, ServiceAccount, entity and group"</span></header>
            <form class="inline-form" on:submit=move |event| {
                event.prevent_default();
                reach_query.set(Some((reach_path.get_untracked(), reach_capability.get_untracked())));
            }>
                <input type="text" class="path-input" data-testid="vault-reach-path" placeholder="secret/data/payments/db"
                    prop:value=move || reach_path.get() on:input=move |event| reach_path.set(event_target_value(&event))/>
                <select data-testid="vault-reach-capability" prop:value=move || reach_capability.get()
                    on:change=move |event| reach_capability.set(event_target_value(&event))>
                    {["read", "list", "create", "update", "patch", "delete", "sudo"].into_iter().map(|name| view! { <option value=name>{name}</option> }).collect_view()}
                </select>
                <button type="submit" data-testid="vault-reach-go">"Who can?"</button>
            </form>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match reach.await {
                        None => view! { <p class="muted empty-row">"Type a path, or click a row of the matrix and press “who else”."</p> }.into_any(),
                        Some(Err(error)) => view! { <p class="card-message empty-row" role="alert">{error.message}</p> }.into_any(),
                        Some(Ok(reachers)) => reach_table(&reachers).into_any(),
                    }
                })}
            </Transition>
        </section>
        {loaded(access, |access: VaultAccess| chain_section(&access))}
        <JwtDecoder/>
        {loaded(inventory, |inventory: VaultInventory| inventory_tables(&inventory))}
    }
}

fn header(inventory: &VaultInventory) -> AnyView {
    let Some(server) = inventory.server.clone() else {
        return view! {
            <div class="page-head"><h1>"Vault permissions"</h1></div>
            <Empty title="No Vault or OpenBao server" hint="Set VAULT_ADDR and VAULT_TOKEN (or BAO_ADDR and BAO_TOKEN), then switch to Live; or switch to the demo platform."/>
        }
        .into_any();
    };
    let broken = inventory.policies.iter().filter(|policy| policy.error.is_some()).count();
    view! {
        <div class="page-head">
            <h1>"Vault permissions"</h1>
            <p class="muted"><code>{server.address}</code>" · "{server.flavor}" "{server.version.unwrap_or_default()}" "
                <Badge text=if server.sealed { "sealed" } else { "unsealed" } tone=if server.sealed { Tone::Bad } else { Tone::Good }/>
            </p>
        </div>
        {(!inventory.problems.is_empty()).then(|| view! {
            <div class="error-panel" role="alert"><strong>"Partly read"</strong>
                <ul>{inventory.problems.iter().map(|problem| view! { <li>{problem.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        <div class="stats">
            <Stat label="policies" value=inventory.policies.len() testid="vault-policies-total"/>
            <Stat label="unparsable policies" value=broken tone=Tone::Bad testid="vault-policies-broken"/>
            <Stat label="auth roles" value=inventory.auth_roles.len() testid="vault-roles-total"/>
            <Stat label="groups" value=inventory.groups.len() testid="vault-groups-total"/>
            <Stat label="entities" value=inventory.entities.len() testid="vault-entities-total"/>
        </div>
    }
    .into_any()
}

#[allow(clippy::too_many_lines, reason = "one view, read top to bottom")]
fn access_section(
    access: &VaultAccess,
    subject: RwSignal<Option<String>>,
    extra_paths: RwSignal<Vec<String>>,
    selected: RwSignal<Option<String>>,
    ask_reach: impl Fn(String, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let current =
        access.subjects.iter().find(|row| Some(&row.id) == access.subject.as_ref()).cloned();
    let mut kinds: Vec<&str> = Vec::new();
    for row in &access.subjects {
        if !kinds.contains(&row.kind.as_str()) {
            kinds.push(&row.kind);
        }
    }
    let picker = kinds
        .iter()
        .map(|kind| {
            let options = access
                .subjects
                .iter()
                .filter(|row| row.kind == *kind)
                .map(|row| {
                    let label = if row.findings > 0 {
                        format!("{} — {} finding(s), worst {}", row.label, row.findings, row.worst.clone().unwrap_or_default())
                    } else {
                        row.label.clone()
                    };
                    view! { <option value=row.id.clone() selected=Some(&row.id) == access.subject.as_ref()>{label}</option> }
                })
                .collect_view();
            view! { <optgroup label=kind_label(kind)>{options}</optgroup> }
        })
        .collect_view();
    let columns = access.capability_names.clone();
    let rows = StoredValue::new(access.rows.clone());
    let mut body = Vec::new();
    let mut group = String::new();
    for row in &access.rows {
        let (mount, rest) = split_mount(&row.path);
        if mount != group {
            group.clone_from(&mount);
            body.push(view! { <tr class="tree-group"><td colspan=columns.len() + 1><code>{mount.clone()}</code></td></tr> }.into_any());
        }
        let path = row.path.clone();
        let title = cell_title(row);
        let shadowed_deny = has_shadowed_deny(row);
        let cells = columns
            .iter()
            .map(|name| {
                let (class, mark) = if row.capabilities == ["root"] {
                    ("cap cap-root", "root")
                } else if row.capabilities == ["deny"] {
                    if name == "deny" { ("cap cap-deny", "✕") } else { ("cap cap-none", "") }
                } else if row.capabilities.iter().any(|granted| granted == name) {
                    ("cap cap-yes", "✓")
                } else {
                    ("cap cap-none", "")
                };
                view! { <td class=class title=title.clone() data-testid=format!("cap:{}:{name}", row.path)>{mark}</td> }
            })
            .collect_view();
        let row_class = move || {
            let mut class = String::from("matrix-row");
            if shadowed_deny {
                class.push_str(" shadowed-deny");
            }
            if selected.get().as_deref() == Some(path.as_str()) {
                class.push_str(" selected");
            }
            class
        };
        let click_path = row.path.clone();
        body.push(view! {
            <tr class=row_class data-testid=format!("row:{}", row.path) on:click=move |_| selected.set(Some(click_path.clone()))>
                <td class="path-cell"><code>{if rest.is_empty() { row.path.clone() } else { rest.clone() }}</code>
                    {shadowed_deny.then(|| view! { " " <Badge text="shadowed deny" tone=Tone::Warn/> })}
                </td>
                {cells}
            </tr>
        }.into_any());
    }
    let detail = move || {
        let path = selected.get()?;
        let row = rows.with_value(|rows| rows.iter().find(|row| row.path == path).cloned())?;
        let reach_path = row.path.clone();
        Some(view! {
            <div class="cell-detail" data-testid="vault-cell-detail">
                <h3><code>{row.path.clone()}</code>" → "{row.capabilities.join(", ")}</h3>
                {match &row.decided_by {
                    Some(decided) => view! {
                        <p>"Decided by "<code>{decided.pattern.clone().unwrap_or_else(|| "the root policy".into())}</code>
                           " ("{decided.kind.clone()}") from policy "<strong>{decided.policies.join(", ")}</strong></p>
                        <p class="muted">{decided.why.clone().unwrap_or_default()}</p>
                    }.into_any(),
                    None => view! { <p>"No rule matches this path, so it is denied."</p> }.into_any(),
                }}
                {(!row.shadowed.is_empty()).then(|| view! {
                    <p class="muted small">"Lost to it (most specific first):"</p>
                    <ul class="shadowed">
                        {row.shadowed.iter().map(|shadowed| {
                            let deny = shadowed.capabilities == ["deny"] && row.capabilities != ["deny"];
                            view! {
                                <li class=if deny { "shadowed-deny-item" } else { "" }>
                                    <code>{shadowed.pattern.clone()}</code>" from "{shadowed.policies.join(", ")}": "{shadowed.capabilities.join(", ")}
                                    {deny.then(|| view! { " " <Badge text="this deny does not apply here" tone=Tone::Warn/> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                })}
                <button class="ghost" on:click=move |_| ask_reach(reach_path.clone(), "read".into())>"Who else can read it?"</button>
            </div>
        })
    };
    let escalations = access.escalations.clone();
    let add_path = RwSignal::new(String::new());
    view! {
        <section class="panel" data-testid="vault-access">
            <header class="panel-head"><h2>"Effective permissions"</h2>
                <span class="muted small">"what sys/capabilities would answer, per rule of the subject, with the rule that decides"</span></header>
            <div class="subject-bar">
                <label class="field"><span class="muted">"Subject"</span>
                    <select data-testid="vault-subject" on:change=move |event| {
                        selected.set(None);
                        subject.set(Some(event_target_value(&event)));
                    }>{picker}</select>
                </label>
                <form class="inline-form" on:submit=move |event| {
                    event.prevent_default();
                    let path = add_path.get_untracked().trim().to_owned();
                    if !path.is_empty() {
                        extra_paths.update(|paths| if !paths.contains(&path) { paths.push(path.clone()) });
                        selected.set(Some(path));
                    }
                }>
                    <input type="text" class="path-input" data-testid="vault-path" placeholder="check another path"
                        on:input=move |event| add_path.set(event_target_value(&event))/>
                    <button type="submit" data-testid="vault-path-go">"Check"</button>
                </form>
            </div>
            {current.map(|current| view! {
                <p class="subject-line" data-testid="vault-subject-policies">
                    <strong>{current.label}</strong>" · "<span class="muted">{current.detail}</span>" · policies: "
                    {current.policies.into_iter().map(|policy| view! { <code class="policy-chip">{policy}</code> }).collect_view()}
                </p>
            })}
            {access.error.clone().map(|error| view! { <div class="error-panel" role="alert"><strong>"Cannot evaluate this subject"</strong><p>{error}</p></div> })}
            {(!access.policy_errors.is_empty()).then(|| view! {
                <div class="error-panel" role="alert" data-testid="vault-policy-errors"><strong>"Policies that do not parse (the others are loaded)"</strong>
                    <ul>{access.policy_errors.iter().map(|error| view! { <li><code>{error.policy.clone()}</code>" line "{error.line}", column "{error.column}": "{error.message.clone()}</li> }).collect_view()}</ul>
                </div>
            })}
            <div class="matrix-layout">
                <div class="table-wrap">
                    <table class="matrix" data-testid="vault-matrix">
                        <thead><tr><th>"Path"</th>{columns.iter().map(|name| view! { <th class="cap-head">{name.clone()}</th> }).collect_view()}</tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
                <aside class="detail-pane">
                    {move || detail().map_or_else(|| view! { <p class="muted">"Click a row: the rule that decides it, the policies merged into it, and the rules it shadows."</p> }.into_any(), IntoAny::into_any)}
                </aside>
            </div>
        </section>
        <section class="panel" data-testid="vault-escalations">
            <header class="panel-head"><h2>"Escalation paths"</h2><span class="muted">{escalations.len()}</span></header>
            {if escalations.is_empty() {
                view! { <p class="muted empty-row">"None found for this subject."</p> }.into_any()
            } else {
                view! {
                    <ul class="findings">
                        {escalations.into_iter().map(|finding| view! {
                            <li class="finding" data-testid=format!("finding-{}", finding.code)>
                                <div><Badge text=finding.severity.clone() tone=severity_tone(&finding.severity)/>" "<code>{finding.code.clone()}</code></div>
                                <p>{finding.explanation.clone()}</p>
                                {(!finding.steps.is_empty()).then(|| view! {
                                    <ol class="steps">{finding.steps.iter().map(|step| view! { <li><code>{step.clone()}</code></li> }).collect_view()}</ol>
                                })}
                                <p class="fix"><strong>"Fix: "</strong>{finding.fix.clone()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

fn reach_table(reachers: &Reachers) -> impl IntoView {
    let rows = reachers
        .reaches
        .iter()
        .map(|reach| Row {
            key: reach.id.clone(),
            cells: vec![
                Cell::Text(kind_singular(&reach.kind).to_owned()),
                Cell::Code(reach.label.clone()),
                Cell::Code(reach.capabilities.join(", ")),
                Cell::Code(reach.pattern.clone()),
                Cell::Code(reach.policies.join(", ")),
            ],
        })
        .collect();
    view! {
        <p class="muted small empty-row" data-testid="vault-reach-summary">{format!("{} subject(s) can {} {}", reachers.reaches.len(), reachers.capability, reachers.path)}</p>
        {(!reachers.problems.is_empty()).then(|| view! { <ul class="card-message">{reachers.problems.iter().map(|problem| view! { <li>{problem.clone()}</li> }).collect_view()}</ul> })}
        <DataTable title="Reaches it" headers=&["Kind", "Subject", "Capabilities", "Deciding rule", "Policies"] rows=rows testid="vault-reach" empty_hint="Nobody can."/>
    }
}

fn chain_section(access: &VaultAccess) -> AnyView {
    if access.chain.is_empty() && access.dangers.is_empty() {
        return ().into_any();
    }
    let low = access.dangers.iter().filter(|danger| danger.severity == "low").count();
    let roles = access
        .chain
        .iter()
        .map(|role| Row {
            key: role.role.clone(),
            cells: vec![
                Cell::Code(role.role.clone()),
                Cell::Text(role.accepts.clone()),
                Cell::Code(role.policies.join(", ")),
                Cell::Text(if role.service_accounts.is_empty() {
                    "–".into()
                } else {
                    role.service_accounts.join("; ")
                }),
                Cell::Code(role.readable.join(", ")),
            ],
        })
        .collect();
    view! {
        <DataTable title="ServiceAccount chain" headers=&["Role", "Accepts", "Policies", "ServiceAccounts (workloads)", "Can read (besides default)"] rows=roles testid="vault-chain" empty_hint="No Kubernetes, JWT or OIDC role."/>
        <section class="panel" data-testid="vault-dangers">
            <header class="panel-head"><h2>"Token dangers"</h2><span class="muted">{access.dangers.len()}</span></header>
            <ul class="findings">
                {access.dangers.iter().filter(|danger| danger.severity != "low").map(|danger| view! {
                    <li class="finding" data-testid=format!("danger-{}", danger.code)>
                        <div><Badge text=danger.severity.clone() tone=severity_tone(&danger.severity)/>" "<code>{danger.code.clone()}</code>" "<code>{danger.subject.clone()}</code></div>
                        <p>{danger.explanation.clone()}</p>
                        <p class="fix"><strong>"Fix: "</strong>{danger.fix.clone()}</p>
                    </li>
                }).collect_view()}
            </ul>
            {(low > 0).then(|| view! {
                <details class="low-dangers">
                    <summary>{format!("{low} low-severity note(s): auto-mounted tokens that no Vault role accepts")}</summary>
                    <ul class="findings">
                        {access.dangers.iter().filter(|danger| danger.severity == "low").map(|danger| view! {
                            <li class="finding"><code>{danger.subject.clone()}</code>" — "{danger.explanation.clone()}</li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </section>
    }
    .into_any()
}

/// Decodes a pasted JWT in the page. The token stays in this component's signal: it is never
/// sent over IPC, logged or stored, and it is gone when the page is left.
#[component]
fn JwtDecoder() -> impl IntoView {
    let token = RwSignal::new(String::new());
    let decoded = Memo::new(move |_| {
        let text = token.get();
        if text.trim().is_empty() {
            return None;
        }
        #[allow(clippy::cast_possible_truncation)] // Seconds since 1970 fit an i64.
        let now = (js_sys::Date::now() / 1000.0) as i64;
        Some(jwt::decode(&text, now))
    });
    let expiry = |seconds: i64| {
        #[allow(clippy::cast_precision_loss)] // Milliseconds of any real date fit an f64.
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
        String::from(date.to_iso_string())
    };
    view! {
        <section class="panel" data-testid="vault-jwt">
            <header class="panel-head"><h2>"Decode a token"</h2>
                <span class="muted small">"decoded here, in the page: never sent, logged or stored; the signature is not checked"</span></header>
            <div class="jwt-body">
                <textarea data-testid="vault-jwt-input" rows="3" autocomplete="off" spellcheck="false"
                    placeholder="Paste a JWT (a ServiceAccount token, a CI ID token)"
                    prop:value=move || token.get() on:input=move |event| token.set(event_target_value(&event))></textarea>
                <button class="ghost" on:click=move |_| token.set(String::new())>"Clear"</button>
                {move || decoded.get().map(|result| match result {
                    Err(error) => view! { <p class="card-message" role="alert">{error}</p> }.into_any(),
                    Ok(decoded) => view! {
                        <div data-testid="vault-jwt-decoded">
                            <p>
                                {decoded.service_account.clone().map(|account| view! { "ServiceAccount "<code>{account}</code>" · " })}
                                "audience "<code>{if decoded.audience.is_empty() { "none".to_owned() } else { decoded.audience.join(", ") }}</code>
                                " · expires "<code>{decoded.expires.map_or_else(|| "never".to_owned(), expiry)}</code>
                                " · "{decoded.algorithm.clone()}
                            </p>
                            <p>{if decoded.risks.is_empty() {
                                view! { <Badge text="no risk found" tone=Tone::Good/> }.into_any()
                            } else {
                                decoded.risks.iter().map(|risk| view! { <Badge text=risk.clone() tone=Tone::Bad/>" " }).collect_view().into_any()
                            }}</p>
                            <table class="claims"><tbody>
                                {decoded.claims.iter().map(|(name, value)| view! { <tr><td><code>{name.clone()}</code></td><td><code>{value.clone()}</code></td></tr> }).collect_view()}
                            </tbody></table>
                        </div>
                    }.into_any(),
                })}
            </div>
        </section>
    }
}

fn inventory_tables(inventory: &VaultInventory) -> AnyView {
    if inventory.server.is_none() {
        return ().into_any();
    }
    let policies = inventory
        .policies
        .iter()
        .map(|policy| Row {
            key: policy.name.clone(),
            cells: vec![
                Cell::Code(policy.name.clone()),
                Cell::Text(policy.paths.to_string()),
                match &policy.error {
                    Some(error) => Cell::Badge(error.clone(), Tone::Bad),
                    None => Cell::Badge("parsed".into(), Tone::Good),
                },
            ],
        })
        .collect();
    let roles = inventory
        .auth_roles
        .iter()
        .map(|role| Row {
            key: format!("{}{}", role.mount, role.name),
            cells: vec![
                Cell::Code(format!("auth/{}", role.mount)),
                Cell::Text(role.method.clone()),
                Cell::Code(role.name.clone()),
                Cell::Code(role.policies.join(", ")),
                Cell::Text(role.bound.join("; ")),
            ],
        })
        .collect();
    let identities = inventory
        .groups
        .iter()
        .map(|group| ("group", group))
        .chain(inventory.entities.iter().map(|entity| ("entity", entity)))
        .map(|(kind, identity)| Row {
            key: format!("{kind}/{}", identity.name),
            cells: vec![
                Cell::Text(kind.into()),
                Cell::Code(identity.name.clone()),
                Cell::Code(identity.policies.join(", ")),
            ],
        })
        .collect();
    view! {
        <DataTable title="ACL policies" headers=&["Policy", "Path rules", "Parse"] rows=policies testid="vault-policies" empty_hint="No ACL policy could be read."/>
        <DataTable title="Auth roles" headers=&["Mount", "Method", "Role", "Policies", "Bound to"] rows=roles testid="vault-roles" empty_hint="No auth role could be read."/>
        <DataTable title="Identities" headers=&["Kind", "Name", "Policies"] rows=identities testid="vault-identities" empty_hint="No identity group or entity could be read."/>
    }
    .into_any()
}
