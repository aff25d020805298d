# RabbitMQ on Amazon MQ: a three-node cluster across zones (Orion's queues are quorum
# queues), private, encrypted with a key of its own, general logs to CloudWatch, reachable
# from the cluster's nodes only, AMQP over TLS.
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
    version       = string
    instance_type = string
  })
  description = "Engine version and node size."
}

resource "aws_kms_key" "rabbitmq" {
  #checkov:skip=CKV2_AWS_64:the default key policy, which leaves who may use the key to IAM
  description         = "${var.name} RabbitMQ"
  enable_key_rotation = true
}

resource "random_password" "orion" {
  length  = 40
  special = false
}

resource "aws_security_group" "rabbitmq" {
  name        = "${var.name}-rabbitmq"
  description = "RabbitMQ, from the cluster's nodes only"
  vpc_id      = var.vpc_id

  ingress {
    description     = "AMQP over TLS from the cluster"
    from_port       = 5671
    to_port         = 5671
    protocol        = "tcp"
    security_groups = [var.client_security_id]
  }
}

resource "aws_mq_broker" "rabbitmq" {
  broker_name                = "${var.name}-rabbitmq"
  engine_type                = "RabbitMQ"
  engine_version             = var.settings.version
  host_instance_type         = var.settings.instance_type
  deployment_mode            = "CLUSTER_MULTI_AZ"
  publicly_accessible        = false
  subnet_ids                 = var.subnet_ids
  security_groups            = [aws_security_group.rabbitmq.id]
  auto_minor_version_upgrade = true

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = aws_kms_key.rabbitmq.arn
  }

  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "04:00"
    time_zone   = "UTC"
  }

  user {
    username = "orion"
    password = random_password.orion.result
  }
}

output "url" {
  description = "amqps://orion:PASSWORD@HOST:5671/ for ORION_BROKER_URL."
  value = replace(
    aws_mq_broker.rabbitmq.instances[0].endpoints[0],
    "amqps://",
    "amqps://orion:${urlencode(random_password.orion.result)}@",
  )
  sensitive = true
}
