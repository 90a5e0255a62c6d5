# One role and instance profile per host service (a co-located service, local.colocate, rides on its partner's).
# A role carries one policy per service its hosts run: that service's statements from modules/services (only the
# calls it makes, on only its resources), plus writing the log streams of its services. No access keys anywhere:
# the hosts get temporary credentials from their instance profile (IMDSv2 only).

resource "aws_iam_role" "service" {
  for_each = toset(local.host_services)

  name = "${var.name_prefix}prestacop-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account } }
    }]
  })

  lifecycle {
    precondition {
      condition = alltrue([for svc, partner in local.colocate :
      contains(local.service_names, svc) && contains(local.service_names, partner)])
      error_message = "colocate names a service that is not in modules/services."
    }
    precondition {
      condition     = length(setintersection(keys(local.colocate), keys(var.instances_per_service))) == 0
      error_message = "A co-located service has no hosts of its own: scale its partner instead."
    }
  }
}

# Keyed by service: each service's statements sit on the role of the hosts that run it, named after the service.
resource "aws_iam_role_policy" "data" {
  for_each = toset(local.service_names)

  name   = "data-plane-${each.key}"
  role   = aws_iam_role.service[local.role_of[each.key]].id
  policy = jsonencode(module.services.policies[each.key])
}

# The CloudWatch agent writes each service's log to its group, one stream per host named after its instance id.
resource "aws_iam_role_policy" "logs" {
  for_each = toset(local.host_services)

  name = "logs"
  role = aws_iam_role.service[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "OwnLogStreams"
        Effect = "Allow"
        Action = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = flatten([for name, h in local.hosts : [
          for svc in h.services : "${aws_cloudwatch_log_group.service[svc].arn}:log-stream:${aws_instance.host[name].id}"
        ] if h.service == each.key])
      },
      {
        Sid      = "OwnLogGroups"
        Effect   = "Allow"
        Action   = ["logs:DescribeLogStreams"]
        Resource = [for svc in local.service_names : aws_cloudwatch_log_group.service[svc].arn if local.role_of[svc] == each.key]
      },
    ]
  })
}

resource "aws_iam_instance_profile" "service" {
  for_each = toset(local.host_services)

  name = "${var.name_prefix}prestacop-${each.key}"
  role = aws_iam_role.service[each.key].name
}

resource "aws_cloudwatch_log_group" "service" {
  for_each = toset(local.service_names)

  name              = "/${var.name_prefix}prestacop/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}
