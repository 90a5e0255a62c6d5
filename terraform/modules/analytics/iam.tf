# ---------------------------------------------------------------------------------------------------------------
# The analysis role: run queries in this workgroup only, read this database's tables and define its views, read
# the archive's prefixes Athena reads, write results under the workgroup's prefix, and use the key only through
# S3. Who may assume it: var.analysis_principals (no role without one).

locals {
  arn_prefix  = { for svc in ["athena", "glue"] : svc => "arn:${var.partition}:${svc}:${var.region}:${var.account}" }
  glue_tables = [for t in aws_glue_catalog_table.this : t.name]
  # The prefixes Athena reads (each table's location).
  archive_prefixes = sort(distinct([for t in local.glue : t.prefix]))

  analysis_statements = concat(
    [
      {
        Sid = "QueriesInTheWorkgroup"
        Action = [
          "athena:StartQueryExecution", "athena:StopQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
          "athena:GetQueryRuntimeStatistics", "athena:BatchGetQueryExecution", "athena:ListQueryExecutions",
          "athena:GetWorkGroup", "athena:GetNamedQuery", "athena:BatchGetNamedQuery", "athena:ListNamedQueries",
        ]
        Resource = [aws_athena_workgroup.this.arn]
      },
      {
        # Athena's view of the Glue catalog (the console's database and table lists).
        Sid      = "AthenaCatalog"
        Action   = ["athena:GetDataCatalog", "athena:GetDatabase", "athena:ListDatabases", "athena:GetTableMetadata", "athena:ListTableMetadata"]
        Resource = ["${local.arn_prefix.athena}:datacatalog/AwsDataCatalog"]
      },
      {
        Sid    = "ReadTheDatabase"
        Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition"]
        Resource = concat(
          ["${local.arn_prefix.glue}:catalog", "${local.arn_prefix.glue}:database/${local.database}"],
          [for t in concat(local.glue_tables, keys(local.views)) : "${local.arn_prefix.glue}:table/${local.database}/${t}"],
        )
      },
      {
        # The one-time setup's CREATE OR REPLACE VIEW, on the views' names only.
        Sid    = "DefineTheViews"
        Action = ["glue:CreateTable", "glue:UpdateTable"]
        Resource = concat(
          ["${local.arn_prefix.glue}:catalog", "${local.arn_prefix.glue}:database/${local.database}"],
          [for v in keys(local.views) : "${local.arn_prefix.glue}:table/${local.database}/${v}"],
        )
      },
      {
        Sid      = "ReadTheArchive"
        Action   = ["s3:GetObject"]
        Resource = [for p in local.archive_prefixes : "${var.archive_bucket.arn}/${p}/*"]
      },
      {
        Sid       = "ListTheArchive"
        Action    = ["s3:ListBucket"]
        Resource  = [var.archive_bucket.arn]
        Condition = { StringLike = { "s3:prefix" = [for p in local.archive_prefixes : "${p}/*"] } }
      },
      {
        Sid      = "BucketLocations"
        Action   = ["s3:GetBucketLocation"]
        Resource = [var.archive_bucket.arn, aws_s3_bucket.results.arn]
      },
      {
        Sid      = "WriteResults"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${aws_s3_bucket.results.arn}/${local.results_prefix}*"]
      },
      {
        Sid       = "ListResults"
        Action    = ["s3:ListBucket", "s3:ListBucketMultipartUploads"]
        Resource  = [aws_s3_bucket.results.arn]
        Condition = { StringLike = { "s3:prefix" = ["${local.results_prefix}*"] } }
      },
    ],
    var.kms_key_arn == null ? [] : [{
      # Reading the (encrypted) archive and writing encrypted results: through S3 only.
      Sid       = "DataKeyViaS3"
      Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = [var.kms_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = "s3.${var.region}.amazonaws.com" } }
    }],
    var.console_listing ? [{
      # The console's menus: these calls have no resource but "*"; they list names, read nothing.
      Sid      = "ConsoleListing"
      Action   = ["athena:ListWorkGroups", "athena:ListDataCatalogs", "athena:ListEngineVersions"]
      Resource = ["*"]
    }] : [],
  )
}

resource "aws_iam_role" "analysis" {
  count = length(var.analysis_principals) > 0 ? 1 : 0

  name        = "${var.name_prefix}prestacop-analysis"
  description = "Runs PrestaCop's statistics on Athena (workgroup ${local.workgroup}): read the archive, write results."
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.analysis_principals }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = var.tags
}

resource "aws_iam_role_policy" "analysis" {
  count = length(var.analysis_principals) > 0 ? 1 : 0

  name = "athena-analysis"
  role = aws_iam_role.analysis[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [for st in local.analysis_statements : merge({ Effect = "Allow" }, st)]
  })
}
