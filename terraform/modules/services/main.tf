# The service catalog: for each long-running actor, its ops port, the host it shares (null: one of its own), its
# configuration (environment variables read by actors/<name>/main.ts, see runtime/aws/options.ts) and the IAM
# statements of exactly the calls it makes. No resources: the root module turns the statements into roles, the
# outputs into env files and the inventory.
#
# Every actor declares its own (actors/<name>/actor.ts, listed in actors/catalog.ts): config/services.json, generated
# by `npm run gen:services` (a spec fails when it is stale), names data-plane resources by reference
# ("streams.drones.arn", "bucket.arn/dead-letter/*"), resolved here; an env value that is no reference
# ("127.0.0.1") is in literal_env and set as is. Nothing is written here by hand.

locals {
  # Every data-plane reference a declaration may use: "<group>.<key>.<attribute>" and "bucket.<attribute>".
  refs = merge(
    merge(flatten([for g in ["streams", "tables", "topics", "queues"] : [
      for k, v in var.data_plane[g] : { for a, x in v : "${g}.${k}.${a}" => x }
    ]])...),
    { for a, x in var.data_plane.bucket : "bucket.${a}" => x },
  )
  # A reference, or a reference followed by an object-key path ("bucket.arn/archive/*"); an unknown one fails.
  resolve = { for r in distinct(flatten([for svc in local.declared : concat(values(svc.env), flatten(svc.statements[*].Resource))])) :
    r => "${local.refs[split("/", r)[0]]}${substr(r, length(split("/", r)[0]), -1)}"
  }
  declared = jsondecode(file("${path.module}/../../../config/services.json")).services

  # A statement as declared (Sid, Action, a literal Condition if any), its resources resolved.
  catalog = {
    for name, svc in local.declared : name => {
      ops_port   = svc.ops_port
      host       = svc.host
      env        = merge(svc.literal_env, { for k, r in svc.env : k => local.resolve[r] })
      statements = [for st in svc.statements : merge(st, { Resource = [for r in st.Resource : local.resolve[r]] })]
      kms        = svc.kms
    }
  }

  # The KMS statement of each service: only the actions it needs, only through the services it calls.
  policies = {
    for name, svc in local.catalog : name => {
      Version = "2012-10-17"
      Statement = concat(
        [for st in svc.statements : merge({ Effect = "Allow" }, st)],
        var.kms_key_arn == null ? [] : [{
          Sid       = "DataKeyViaServices"
          Effect    = "Allow"
          Action    = sort(distinct(flatten(values(svc.kms))))
          Resource  = [var.kms_key_arn]
          Condition = { StringEquals = { "kms:ViaService" = [for svc_name in sort(keys(svc.kms)) : "${svc_name}.${var.region}.amazonaws.com"] } }
        }],
      )
    }
  }
}
