variable "region" {
  type        = string
  description = "The AWS region everything is made in."
  default     = "eu-west-1"
}

variable "environment" {
  type        = string
  description = "A name for this copy of the infrastructure (prod, staging): in every name and tag."
  default     = "prod"
}

variable "vpc_cidr" {
  type        = string
  description = "The VPC's address range; the pods take theirs from it (ORION_TRUSTED_PROXIES in deploy/k8s/overlays/prod)."
  default     = "10.40.0.0/16"
}

variable "availability_zones" {
  type        = number
  description = "How many availability zones the network, the nodes and the data services span (3 for a three-node broker)."
  default     = 3
}

variable "kubernetes_version" {
  type        = string
  description = "The EKS control plane's Kubernetes version (1.32 or newer: the manifests use native sidecars)."
  default     = "1.32"
}

variable "node_instance_type" {
  type        = string
  description = "The EC2 instance type of the cluster's nodes."
  default     = "m7i.large"
}

variable "node_count" {
  type = object({
    min     = number
    desired = number
    max     = number
  })
  description = "The nodes' autoscaling group: at least one per availability zone."
  default     = { min = 3, desired = 3, max = 12 }
}

variable "cluster_admin_cidrs" {
  type        = list(string)
  description = "Networks that may reach the cluster's API endpoint (the operators' VPN); empty: private endpoint only."
  default     = []
}

variable "postgresql" {
  type = object({
    version            = string
    instance_class     = string
    storage_gb         = number
    max_storage_gb     = number
    backup_days        = number
    maintenance_window = string
    backup_window      = string
  })
  description = "PostgreSQL on RDS: Multi-AZ with a standby in another zone, daily snapshots kept backup_days, point-in-time recovery in between."
  default = {
    version            = "16"
    instance_class     = "db.m7g.large"
    storage_gb         = 100
    max_storage_gb     = 1000
    backup_days        = 14
    maintenance_window = "sun:03:00-sun:04:00"
    backup_window      = "01:00-02:00"
  }
}

variable "rabbitmq" {
  type = object({
    version       = string
    instance_type = string
  })
  description = "RabbitMQ on Amazon MQ: a three-node cluster across availability zones (quorum queues)."
  default = {
    version       = "3.13"
    instance_type = "mq.m5.large"
  }
}

variable "redis" {
  type = object({
    version   = string
    node_type = string
    replicas  = number
  })
  description = "Redis on ElastiCache: a primary and replicas in other zones, automatic failover, TLS and an auth token."
  default = {
    version   = "7.1"
    node_type = "cache.m7g.large"
    replicas  = 2
  }
}

variable "vault_chart_version" {
  type        = string
  description = "The version of HashiCorp's Vault Helm chart (HA with integrated storage, unsealed by KMS)."
  default     = "0.29.1"
}
