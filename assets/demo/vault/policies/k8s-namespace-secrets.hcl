# Every Kubernetes workload may manage secrets under its own namespace.
# The accessor is the one of auth/kubernetes-prod-eu/ (see vault/auth/kubernetes-prod-eu.json);
# on other Kubernetes mounts the template cannot be rendered and the rule is dropped.

path "secret/data/k8s/{{identity.entity.aliases.auth_kubernetes_5c1e9a03.metadata.service_account_namespace}}/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret/metadata/k8s/{{identity.entity.aliases.auth_kubernetes_5c1e9a03.metadata.service_account_namespace}}/*" {
  capabilities = ["list", "read"]
}
