# PostgreSQL on RDS: Multi-AZ (a synchronous standby in another zone; failover keeps the
# address), encrypted with a key of its own, TLS required, daily snapshots and point-in-time
# recovery, deletion protected, reachable from the cluster's nodes only. Orion's users are
# short-lived ones from Vault's database secrets engine (vault-config/); the master password
# made here is handed to Vault, which rotates it.
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
    version            = string
    instance_class     = string
    storage_gb         = number
    max_storage_gb     = number
    backup_days        = number
    maintenance_window = string
    backup_window      = string
  })
  description = "Engine version, size, storage and backup settings."
}

resource "aws_kms_key" "postgresql" {
  #checkov:skip=CKV2_AWS_64:the default key policy, which leaves who may use the key to IAM
  description         = "${var.name} PostgreSQL storage, snapshots and logs"
  enable_key_rotation = true
}

resource "random_password" "admin" {
  length  = 40
  special = false
}

resource "aws_db_subnet_group" "postgresql" {
  name       = "${var.name}-postgresql"
  subnet_ids = var.subnet_ids
}

resource "aws_security_group" "postgresql" {
  name        = "${var.name}-postgresql"
  description = "PostgreSQL, from the cluster's nodes only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "PostgreSQL from the cluster"
    from_port       = 5432
    to_port         = 5432
    protocol        = "tcp"
    security_groups = [var.client_security_id]
  }
}

resource "aws_db_parameter_group" "postgresql" {
  name   = "${var.name}-postgresql${var.settings.version}"
  family = "postgres${var.settings.version}"

  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
  parameter {
    name  = "log_connections"
    value = "1"
  }
}

resource "aws_iam_role" "monitoring" {
  name = "${var.name}-postgresql-monitoring"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "monitoring.rds.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy_attachment" "monitoring" {
  role       = aws_iam_role.monitoring.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}

resource "aws_db_instance" "postgresql" {
  identifier                          = "${var.name}-postgresql"
  engine                              = "postgres"
  engine_version                      = var.settings.version
  instance_class                      = var.settings.instance_class
  db_name                             = "orion"
  username                            = "orion_admin"
  password                            = random_password.admin.result
  multi_az                            = true
  allocated_storage                   = var.settings.storage_gb
  max_allocated_storage               = var.settings.max_storage_gb
  storage_type                        = "gp3"
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.postgresql.arn
  db_subnet_group_name                = aws_db_subnet_group.postgresql.name
  vpc_security_group_ids              = [aws_security_group.postgresql.id]
  parameter_group_name                = aws_db_parameter_group.postgresql.name
  publicly_accessible                 = false
  backup_retention_period             = var.settings.backup_days
  backup_window                       = var.settings.backup_window
  maintenance_window                  = var.settings.maintenance_window
  copy_tags_to_snapshot               = true
  deletion_protection                 = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name}-postgresql-final"
  auto_minor_version_upgrade          = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql", "upgrade"]
  performance_insights_enabled        = true
  performance_insights_kms_key_id     = aws_kms_key.postgresql.arn
  monitoring_interval                 = 30
  monitoring_role_arn                 = aws_iam_role.monitoring.arn
}

output "address" {
  description = "host:port; the name stays when the standby takes over."
  value       = "${aws_db_instance.postgresql.address}:${aws_db_instance.postgresql.port}"
}

output "admin" {
  description = "The master user and password, for Vault's database secrets engine."
  value = {
    username = aws_db_instance.postgresql.username
    password = random_password.admin.result
  }
  sensitive = true
}
