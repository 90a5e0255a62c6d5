# One role and instance profile per service. Its policy is the service's statements from modules/services (only
# the calls it makes, on only its resources), plus writing its own log streams. No access keys anywhere: the hosts
# get temporary credentials from their instance profile (IMDSv2 only).

resource "aws_iam_role" "service" {
  for_each = toset(local.service_names)

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
}

resource "aws_iam_role_policy" "data" {
  for_each = toset(local.service_names)

  name   = "data-plane"
  role   = aws_iam_role.service[each.key].id
  policy = jsonencode(module.services.policies[each.key])
}

# The CloudWatch agent writes to the service's log group, one stream per host named after its instance id.
resource "aws_iam_role_policy" "logs" {
  for_each = toset(local.service_names)

  name = "logs"
  role = aws_iam_role.service[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "OwnLogStreams"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [for name, h in local.hosts : "${aws_cloudwatch_log_group.service[each.key].arn}:log-stream:${aws_instance.host[name].id}" if h.service == each.key]
      },
      {
        Sid      = "OwnLogGroup"
        Effect   = "Allow"
        Action   = ["logs:DescribeLogStreams"]
        Resource = [aws_cloudwatch_log_group.service[each.key].arn]
      },
    ]
  })
}

resource "aws_iam_instance_profile" "service" {
  for_each = toset(local.service_names)

  name = "${var.name_prefix}prestacop-${each.key}"
  role = aws_iam_role.service[each.key].name
}

resource "aws_cloudwatch_log_group" "service" {
  for_each = toset(local.service_names)

  name              = "/${var.name_prefix}prestacop/${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = local.kms_key_arn
}
