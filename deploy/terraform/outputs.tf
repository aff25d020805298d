# What vault-config/ reads (through this state) and operators look up. Credentials are
# marked sensitive: `terraform output` hides them, and they reach the cluster only through
# Vault (vault-config/).
output "cluster_name" {
  description = "The EKS cluster: aws eks update-kubeconfig --name <this>."
  value       = module.cluster.name
}

output "cluster_endpoint" {
  description = "The cluster's API endpoint (Vault's kubernetes auth calls it)."
  value       = module.cluster.endpoint
}

output "cluster_ca_certificate" {
  description = "The cluster's CA certificate, base64 PEM."
  value       = module.cluster.certificate_authority
}

output "postgresql_address" {
  description = "host:port of PostgreSQL (RDS, Multi-AZ: the name follows a failover)."
  value       = module.postgresql.address
}

output "postgresql_admin" {
  description = "The RDS master user and password, handed to Vault's database secrets engine (which rotates it)."
  value       = module.postgresql.admin
  sensitive   = true
}

output "broker_url" {
  description = "amqps:// URL of the RabbitMQ cluster with Orion's user."
  value       = module.rabbitmq.url
  sensitive   = true
}

output "redis_url" {
  description = "rediss:// URL of the Redis primary endpoint with its auth token."
  value       = module.redis.url
  sensitive   = true
}

output "vault_address" {
  description = "Vault's address inside the cluster."
  value       = module.vault.address
}
