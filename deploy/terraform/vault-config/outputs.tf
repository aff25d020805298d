output "database_role" {
  description = "ORION_VAULT_DATABASE_ROLE and ORION_VAULT_DATABASE_MOUNT for the prod overlay."
  value       = { role = vault_database_secret_backend_role.orion.name, mount = vault_mount.database.path }
}

output "kubernetes_role" {
  description = "ORION_VAULT_KUBERNETES_ROLE for the prod overlay."
  value       = vault_kubernetes_auth_backend_role.orion.role_name
}
