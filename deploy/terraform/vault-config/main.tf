data "terraform_remote_state" "infrastructure" {
  backend = "s3"
  config  = var.infrastructure_state
}

locals {
  infrastructure = data.terraform_remote_state.infrastructure.outputs
  admin          = local.infrastructure.postgresql_admin
}

# --- the owner of Orion's schemas: Orion's short-lived users act as it -----------------------
resource "postgresql_role" "owner" {
  name  = "orion_owner"
  login = false
}

resource "postgresql_grant" "database" {
  database    = "orion"
  role        = postgresql_role.owner.name
  object_type = "database"
  privileges  = ["CONNECT", "CREATE", "TEMPORARY"]
}

# --- KV: the managed services' addresses, for External Secrets -------------------------------
resource "vault_mount" "kv" {
  path        = "secret"
  type        = "kv"
  options     = { version = "2" }
  description = "Orion's settings that are secrets (deploy/k8s/overlays/prod/external-secrets.yaml)"
}

resource "vault_kv_secret_v2" "infrastructure" {
  mount = vault_mount.kv.path
  name  = "orion/infrastructure"
  data_json = jsonencode({
    # no user or password: they come from the database secrets engine below
    database_url = "postgresql://${local.infrastructure.postgresql_address}/orion?ssl=require"
    broker_url   = local.infrastructure.broker_url
    redis_url    = local.infrastructure.redis_url
    vault_ca     = var.vault_ca_certificate
  })
}

# --- the database secrets engine: a user per Orion process, renewed, revoked ----------------
resource "vault_mount" "database" {
  path        = "database"
  type        = "database"
  description = "Orion's short-lived PostgreSQL users"
}

resource "vault_database_secret_backend_connection" "orion" {
  backend       = vault_mount.database.path
  name          = "orion"
  allowed_roles = ["orion"]

  postgresql {
    connection_url = "postgresql://{{username}}:{{password}}@${local.infrastructure.postgresql_address}/orion?sslmode=require"
    username       = local.admin.username
    password       = local.admin.password
  }

  # once applied: `vault write -force database/rotate-root/orion`, and the master password in
  # Terraform's state no longer opens anything (docs/runbook.md, "Rotate a secret")
  root_rotation_statements = ["ALTER ROLE \"{{name}}\" WITH PASSWORD '{{password}}'"]
}

resource "vault_database_secret_backend_role" "orion" {
  backend     = vault_mount.database.path
  name        = "orion"
  db_name     = vault_database_secret_backend_connection.orion.name
  default_ttl = var.database_lease.default_ttl
  max_ttl     = var.database_lease.max_ttl
  creation_statements = [
    "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' IN ROLE ${postgresql_role.owner.name};",
    "ALTER ROLE \"{{name}}\" SET role TO ${postgresql_role.owner.name};",
  ]
  # the user goes; its open sessions finish their work as the owner while Orion moves its
  # pool to a new user (docs/adr/0021-secrets-from-vault.md)
  revocation_statements = ["DROP ROLE IF EXISTS \"{{name}}\";"]
}

# --- who may read what ---------------------------------------------------------------------
resource "vault_policy" "orion" {
  name   = "orion"
  policy = <<-HCL
    path "database/creds/orion" { capabilities = ["read"] }
    path "sys/leases/renew" { capabilities = ["update"] }
    path "sys/leases/revoke" { capabilities = ["update"] }
    path "auth/token/renew-self" { capabilities = ["update"] }
  HCL
}

resource "vault_policy" "external_secrets" {
  name   = "orion-external-secrets"
  policy = <<-HCL
    path "secret/data/orion/*" { capabilities = ["read"] }
  HCL
}

resource "vault_auth_backend" "kubernetes" {
  type = "kubernetes"
}

resource "vault_kubernetes_auth_backend_config" "cluster" {
  backend            = vault_auth_backend.kubernetes.path
  kubernetes_host    = local.infrastructure.cluster_endpoint
  kubernetes_ca_cert = base64decode(local.infrastructure.cluster_ca_certificate)
}

resource "vault_kubernetes_auth_backend_role" "orion" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "orion"
  bound_service_account_names      = ["orion"]
  bound_service_account_namespaces = [var.namespace]
  audience                         = "vault"
  token_policies                   = [vault_policy.orion.name]
  token_ttl                        = 3600
  token_max_ttl                    = 86400
}

resource "vault_kubernetes_auth_backend_role" "external_secrets" {
  backend                          = vault_auth_backend.kubernetes.path
  role_name                        = "orion-external-secrets"
  bound_service_account_names      = ["orion"]
  bound_service_account_namespaces = [var.namespace]
  audience                         = "vault"
  token_policies                   = [vault_policy.external_secrets.name]
  token_ttl                        = 600
}
