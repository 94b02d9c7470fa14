# Nightly settlement batch (AppRole "settlement-batch"): the only reader of the live PSP keys.
path "secret/data/payments/psp/live-signing-keys" {
  capabilities = ["read"]
}

path "secret/data/payments/settlement/*" {
  capabilities = ["read", "create", "update"]
}

path "transit/sign/settlement-files" {
  capabilities = ["update"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = "10m"
}
