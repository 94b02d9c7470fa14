# External Secrets Operator and the Argo CD Vault plugin: read every team's "shared" folder,
# nothing else. "+" matches exactly one path segment (the team name).

path "secret/data/+/shared/*" {
  capabilities = ["read"]
}

path "secret/metadata/+/shared/*" {
  capabilities = ["read", "list"]
}

# but never the payments team's shared folder (PCI scope)
path "secret/data/payments/shared/*" {
  capabilities = []
}
