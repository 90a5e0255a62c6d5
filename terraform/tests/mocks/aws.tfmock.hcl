# The mocked AWS provider every suite uses (mock_provider "aws" { source = "./tests/mocks" }): what the provider
# computes and the configuration reads back, where a random string would not do. ARNs must look like ARNs where
# the provider validates them (one per resource type: a suite that needs a particular one overrides that resource);
# the account and partition build the policies' ARNs; the default VPC has four subnets. One line per mocked type.

mock_data "aws_caller_identity" { defaults = { account_id = "123456789012" } }
mock_data "aws_partition" { defaults = { partition = "aws" } }
mock_data "aws_subnets" { defaults = { ids = ["subnet-0a", "subnet-0b", "subnet-0c", "subnet-0d"] } }
mock_data "aws_vpc" { defaults = { id = "vpc-0mock", cidr_block = "172.31.0.0/16" } }
mock_resource "aws_kms_key" { defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555" } }
mock_resource "aws_sns_topic" { defaults = { arn = "arn:aws:sns:us-east-1:123456789012:prestacop-alarms" } }
mock_resource "aws_sqs_queue" { defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:prestacop-console" } }
mock_resource "aws_s3_bucket" { defaults = { arn = "arn:aws:s3:::prestacop-archive" } }
mock_resource "aws_kinesis_stream" { defaults = { arn = "arn:aws:kinesis:us-east-1:123456789012:stream/prestacop-mock" } }
mock_resource "aws_dynamodb_table" { defaults = { arn = "arn:aws:dynamodb:us-east-1:123456789012:table/prestacop-mock" } }
mock_resource "aws_cloudwatch_log_group" { defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/prestacop/mock" } }
mock_resource "aws_iam_role" { defaults = { arn = "arn:aws:iam::123456789012:role/prestacop-mock" } }
mock_resource "aws_iam_instance_profile" { defaults = { arn = "arn:aws:iam::123456789012:instance-profile/prestacop-mock" } }
mock_resource "aws_athena_workgroup" { defaults = { arn = "arn:aws:athena:us-east-1:123456789012:workgroup/prestacop-analysis" } }
