# The service hosts: one per host service (instances_per_service adds more; a co-located service runs on its
# partner's first host, see local.colocate in main.tf), spread over the subnets (one per
# availability zone in the default VPC), reachable by SSH from admin_cidr only. The ops servers (/healthz) listen
# on 127.0.0.1 only.
#
# Outbound: HTTPS to the AWS APIs the services call and nothing else. S3 and DynamoDB through their AWS managed
# prefix lists (the services' regional addresses; no endpoint needed, no cost); Kinesis, SNS, SQS and CloudWatch
# Logs (the agent) through interface endpoints in the VPC, whose private DNS names make the SDKs' usual regional
# hostnames resolve to them (these services have no prefix list). The instance metadata service (credentials),
# the VPC's DNS resolver and Amazon's time service are link-local and not filtered by security groups. Package
# mirrors (apt, npm) are the one thing outside AWS: package_egress opens 80/443 while a deploy needs them.

data "aws_vpc" "selected" {
  default = var.vpc_id == null
  id      = var.vpc_id
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.selected.id]
  }
  filter {
    name   = "default-for-az"
    values = ["true"]
  }
}

data "aws_ami" "debian" {
  count = var.ami_id == null ? 1 : 0

  most_recent = true
  owners      = ["136693071363"] # Debian
  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

locals {
  subnets = length(var.subnet_ids) > 0 ? var.subnet_ids : sort(data.aws_subnets.default.ids)
  ami     = var.ami_id != null ? var.ami_id : data.aws_ami.debian[0].id
}

resource "aws_key_pair" "admin" {
  key_name   = "${var.name_prefix}prestacop-admin"
  public_key = var.ssh_public_key
}

# Two groups: the service hosts (SSH from the admin network only) and the interface endpoints (HTTPS from the VPC).
resource "aws_security_group" "this" {
  for_each = {
    hosts     = "PrestaCop service hosts: SSH from the admin network only"
    endpoints = "PrestaCop interface endpoints: HTTPS from the VPC"
  }

  name        = "${var.name_prefix}prestacop-${each.key}"
  description = each.value
  vpc_id      = data.aws_vpc.selected.id
}

# The only ways in, one rule each: SSH to the hosts from the admin network; HTTPS to the interface endpoints from
# the whole VPC, not only the hosts (private DNS sends every caller in the VPC to these endpoints).
resource "aws_vpc_security_group_ingress_rule" "in" {
  for_each = {
    ssh_admin       = { group = aws_security_group.this["hosts"].id, what = "SSH from the admin network", port = 22, cidr = var.admin_cidr }
    endpoints_https = { group = aws_security_group.this["endpoints"].id, what = "HTTPS from the VPC", port = 443, cidr = data.aws_vpc.selected.cidr_block }
  }

  security_group_id = each.value.group
  description       = each.value.what
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

# The AWS regional services each host calls, besides S3 and DynamoDB (prefix lists): named by their interface
# endpoint service. The mocked test checks this covers every service a role's statements name.
locals {
  interface_endpoints = toset(["kinesis-streams", "logs", "sns", "sqs"])
  # The subnets that hold hosts (one endpoint network interface per availability zone used, no more).
  host_subnets = slice(local.subnets, 0, min(length(local.hosts), length(local.subnets)))
}

data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${local.region}.s3"
}

data "aws_ec2_managed_prefix_list" "dynamodb" {
  name = "com.amazonaws.${local.region}.dynamodb"
}

resource "aws_vpc_security_group_egress_rule" "aws_prefix_lists" {
  for_each = { s3 = data.aws_ec2_managed_prefix_list.s3.id, dynamodb = data.aws_ec2_managed_prefix_list.dynamodb.id }

  security_group_id = aws_security_group.this["hosts"].id
  description       = "HTTPS out to ${each.key} in ${local.region} (AWS managed prefix list)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = each.value
}

resource "aws_vpc_security_group_egress_rule" "aws_endpoints" {
  security_group_id            = aws_security_group.this["hosts"].id
  description                  = "HTTPS out to the interface endpoints (Kinesis, SNS, SQS, CloudWatch Logs)"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.this["endpoints"].id
}

# The package window (var.package_egress): apt (Debian, NodeSource) and the npm registry, at deploy time.
resource "aws_vpc_security_group_egress_rule" "packages" {
  for_each = var.package_egress ? { https = 443, http = 80 } : {}

  security_group_id = aws_security_group.this["hosts"].id
  description       = "${upper(each.key)} out to package mirrors (apt, npm): package_egress, deploy time only"
  ip_protocol       = "tcp"
  from_port         = each.value
  to_port           = each.value
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = data.aws_vpc.selected.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = local.host_subnets
  security_group_ids  = [aws_security_group.this["endpoints"].id]
  tags                = { Name = "${var.name_prefix}prestacop-${each.key}" }
}

resource "aws_instance" "host" {
  for_each = local.hosts

  ami                         = local.ami
  instance_type               = var.instance_type
  subnet_id                   = local.subnets[(index(keys(local.hosts), each.key)) % length(local.subnets)]
  vpc_security_group_ids      = [aws_security_group.this["hosts"].id]
  iam_instance_profile        = aws_iam_instance_profile.service[each.value.service].name
  key_name                    = aws_key_pair.admin.key_name
  associate_public_ip_address = true
  monitoring                  = false

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = 16
    encrypted   = true
    kms_key_id  = local.kms_key_arn
  }

  tags = { Name = "${var.name_prefix}prestacop-${each.key}", Service = each.value.service, Services = join(" ", each.value.services) }

  lifecycle {
    # A newer Debian image must not replace running hosts; roll them deliberately.
    ignore_changes = [ami]
  }
}
