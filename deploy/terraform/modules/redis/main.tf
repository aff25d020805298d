# Redis on ElastiCache: a primary and replicas in other zones with automatic failover, TLS in
# transit and an auth token, encrypted at rest with a key of its own, snapshots, the slow log
# to CloudWatch, reachable from the cluster's nodes only.
variable "name" {
  type        = string
  description = "Prefix of every name."
}

variable "vpc_id" {
  type        = string
  description = "The VPC."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets, one per zone."
}

variable "client_security_id" {
  type        = string
  description = "The security group allowed to connect (the cluster's nodes)."
}

variable "settings" {
  type = object({
    version   = string
    node_type = string
    replicas  = number
  })
  description = "Engine version, node size and how many replicas."
}

resource "aws_kms_key" "redis" {
  #checkov:skip=CKV2_AWS_64:the default key policy, which leaves who may use the key to IAM
  description         = "${var.name} Redis"
  enable_key_rotation = true
}

resource "random_password" "auth" {
  length  = 64
  special = false
}

resource "aws_elasticache_subnet_group" "redis" {
  name       = "${var.name}-redis"
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "redis" {
  name        = "${var.name}-redis"
  description = "Redis, from the cluster's nodes only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "Redis over TLS from the cluster"
    from_port       = 6379
    to_port         = 6379
    protocol        = "tcp"
    security_groups = [var.client_security_id]
  }
}

resource "aws_cloudwatch_log_group" "redis" {
  name              = "/orion/${var.name}/redis-slow-log"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.redis.arn
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id       = "${var.name}-redis"
  description                = "Orion's cache, rate limits and breakers"
  engine                     = "redis"
  engine_version             = var.settings.version
  node_type                  = var.settings.node_type
  num_cache_clusters         = var.settings.replicas + 1
  automatic_failover_enabled = true
  multi_az_enabled           = true
  subnet_group_name          = aws_elasticache_subnet_group.redis.name
  security_group_ids         = [aws_security_group.redis.id]
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.redis.arn
  transit_encryption_enabled = true
  auth_token                 = random_password.auth.result
  snapshot_retention_limit   = 7
  auto_minor_version_upgrade = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.redis.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}

output "url" {
  description = "rediss://:TOKEN@PRIMARY:6379/0 for ORION_REDIS_URL."
  value       = "rediss://:${random_password.auth.result}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379/0"
  sensitive   = true
}
