#!/usr/bin/env bash
# make demo: a real Django app on a local Elastic Beanstalk (localaws),
# migrated by terraform apply. Run through `make demo`, which builds what it
# needs and sets TERRAFORM, PROVIDER_DIR and LOCALAWS.
#
# Exits 0 when every step behaved as described, non-zero (naming the step)
# otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work="${DEMO_WORK:-$here/work}"
: "${TERRAFORM:?set TERRAFORM to a terraform binary}"
: "${PROVIDER_DIR:?set PROVIDER_DIR to the directory of terraform-provider-ebmigrate}"
: "${LOCALAWS:?set LOCALAWS to the localaws binary}"

rm -rf "$work"
mkdir -p "$work/tf"
cp "$here/main.tf" "$work/tf/main.tf"
# The seed, with its image directories and database files made absolute.
sed -e "s#\"dir\": \"app/#\"dir\": \"$here/app/#" -e "s#\"../../work/\\([a-z]*\\.sqlite3\\)\"#\"$work/\\1\"#" "$here/seed.json" >"$work/seed.json"
log="$work/terraform.log"

cat > "$work/cli.tfrc" <<EOF
provider_installation {
  dev_overrides {
    "registry.terraform.io/ebmigrate/ebmigrate" = "$PROVIDER_DIR"
    "registry.opentofu.org/ebmigrate/ebmigrate" = "$PROVIDER_DIR"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 TF_INPUT=0
export AWS_ACCESS_KEY_ID=AKIDDEMO AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE

# Bold and red only on a terminal, never with NO_COLOR set (no-color.org):
# a file or a CI log gets plain text.
colour() { [ -z "${NO_COLOR:-}" ] && [ -t "$1" ]; }
bold='' red='' plain='' plain_err=''
if colour 1; then bold=$'\033[1m' plain=$'\033[0m'; fi
if colour 2; then red=$'\033[31m' plain_err=$'\033[0m'; fi
say()  { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
info() { printf '    %s\n' "$*"; }
fail() { printf '\n%sStep %s did not behave as described: %s%s\n(terraform output: %s)\n' "$red" "$step" "$2" "$plain_err" "$log" >&2; exit 1; }

localaws_pid="" action_pid="" phases_pid=""
cleanup() {
  if [ -n "$action_pid" ]; then kill "$action_pid" 2>/dev/null || true; wait "$action_pid" 2>/dev/null || true; fi
  if [ -n "$phases_pid" ]; then kill "$phases_pid" 2>/dev/null || true; wait "$phases_pid" 2>/dev/null || true; fi
  if [ -n "$localaws_pid" ]; then kill "$localaws_pid" 2>/dev/null || true; wait "$localaws_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# run DIR NAME COMMAND ARGS...: terraform COMMAND ARGS in DIR. Its output
# goes to a file of its own, $work/out/NAME.txt (what each step checks), and
# then to $log.
mkdir -p "$work/out"
run() {
  local dir=$1 name=$2 cmd=$3 rc=0
  shift 3
  (cd "$dir" && "$TERRAFORM" "$cmd" -no-color "$@" >"$work/out/$name.txt" 2>&1) || rc=$?
  cat "$work/out/$name.txt" >>"$log"
  return "$rc"
}
# out NAME: the output of the terraform run NAME.
out() { cat "$work/out/$1.txt"; }
# tf NAME COMMAND ARGS...: terraform COMMAND ARGS in $work/tf, with the
# endpoint variable.
tf() { local name=$1 cmd=$2; shift 2; run "$work/tf" "$name" "$cmd" -var "endpoint=$url" "$@"; }
# tf_copy NAME COMMAND ARGS...: the same in a copy of $work/tf's
# configuration and state. A plan locks the state it reads: a read-only plan
# that runs alongside another terraform command gets a copy of its own.
tf_copy() {
  local name=$1 cmd=$2
  shift 2
  mkdir -p "$work/tf-$name"
  cp "$work/tf/main.tf" "$work/tf/terraform.tfstate" "$work/tf-$name/"
  run "$work/tf-$name" "$name" "$cmd" -var "endpoint=$url" "$@"
}

# migrations [DB] lists what Django recorded in the SQLite database DB
# (myapp-prod's, db.sqlite3, by default).
migrations() {
  /usr/bin/python3 - "$work/${1:-db.sqlite3}" <<'EOF'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("select app || '.' || name from django_migrations order by id").fetchall()
print(", ".join(r[0] for r in rows))
EOF
}

# deploy VERSION [ENVIRONMENT] makes Elastic Beanstalk deploy a version to
# an environment (myapp-prod by default) through EB's query API, as the
# console or `aws elasticbeanstalk update-environment` would, and waits for it.
deploy() {
  local env=${2:-myapp-prod}
  curl -sf -o /dev/null "$url/" -d "Action=UpdateEnvironment&Version=2010-12-01&EnvironmentName=$env&VersionLabel=$1" \
    || fail "$step" "UpdateEnvironment of $env to $1 failed"
  for _ in $(seq 200); do
    # A throttled describe (localaws's EB quota; Terraform reads alongside)
    # is asked again, not the end of the demo under set -e.
    desc=$(curl -sf "$url/" -d "Action=DescribeEnvironments&Version=2010-12-01&EnvironmentNames.member.1=$env&IncludeDeleted=false" || true)
    if grep -q "<Status>Ready</Status>" <<<"$desc" && grep -q "<VersionLabel>$1</VersionLabel>" <<<"$desc"; then return; fi
    sleep 0.1
  done
  fail "$step" "the deploy of $1 to $env did not finish"
}

# The action step (Terraform 1.14+: TERRAFORM_ACTIONS, or TERRAFORM itself):
# on myapp-staging, its own environment, cluster and database, the
# ebmigrate_migrate action migrates v5 before Elastic Beanstalk deploys it
# (examples/demo/action/main.tf). It shares nothing with myapp-prod's five
# steps, so it runs alongside them, into $work/action.txt, printed at the end.
actions_tf="${TERRAFORM_ACTIONS:-$TERRAFORM}"
action_step() {
  step=action
  local tfpid=""
  trap '[ -z "$tfpid" ] || kill "$tfpid" 2>/dev/null; exit 1' TERM
  tfa() {
    local name=$1 cmd=$2 rc=0
    shift 2
    (cd "$work/tf-action" && exec "$actions_tf" "$cmd" -no-color -var "endpoint=$url" "$@" >"$work/out/$name.txt" 2>&1) & tfpid=$!
    wait "$tfpid" || rc=$?
    tfpid=""
    cat "$work/out/$name.txt" >>"$log"
    return "$rc"
  }
  say "Action step (on myapp-staging, alongside steps 1-5): the ebmigrate_migrate action (Terraform 1.14) migrates v5 before_update of the environment, then v5 is deployed"
  # Staging runs v4, its database migrated to v4 before the demo (here by
  # manage.py itself, with the environment's properties).
  DATABASE_PATH="$work/staging.sqlite3" DJANGO_SETTINGS_MODULE=demo.settings PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 "$here/app/v4/manage.py" migrate -v 0 >"$work/out/staging-v4.txt" 2>&1 \
    || fail action "migrating myapp-staging's database to v4 failed: $(tail -1 "$work/out/staging-v4.txt")"
  info "myapp-staging runs v4; its django_migrations: $(migrations staging.sqlite3)"
  mkdir -p "$work/tf-action" && cp "$here/action/main.tf" "$work/tf-action/main.tf"
  tfa record4 apply -auto-approve -var app_version=v4 || fail action "the apply that records v4 failed"
  tfa action5 apply -auto-approve -var app_version=v5 || fail action "the apply of v5 failed"
  out action5 | grep -E '^(Action|terraform_data\.(environment|deploy): (Modifying|Provisioning))' | sed 's/^/    /'
  out action5 | grep -q "Applying notes.0002_note_pinned... OK" || fail action "the action did not show the migration's lines as progress"
  first=$(out action5 | grep -E 'Action complete: action.ebmigrate_migrate.web|terraform_data.deploy: Provisioning' | head -1)
  case "$first" in "Action complete:"*) ;; *) fail action "the migration did not finish before the deploy: $first" ;; esac
  applied=$(migrations staging.sqlite3)
  info "myapp-staging's django_migrations: $applied"
  [ "${applied##*, }" = "notes.0002_note_pinned" ] || fail action "notes.0002_note_pinned was not applied last"
  info "The action step behaved as described: v5 migrated before its deploy started."
}

# Step 6, the zero-downtime release, on myapp-shop (its own environment,
# cluster and database, whose two web tasks run each version's traffic:
# seed.json's workload): v2 adds the column price_cents that v2's code writes
# and drops the column sku that v1's code reads; one terraform apply runs
# what is safe before the deploy, deploys, and runs the rest
# (examples/demo/phases/main.tf). It shares nothing with steps 1-5, so it
# runs alongside them, into $work/phases.txt, printed at the end.
# workloads VERSION: "<web tasks> <queries served> <failed> <stopped tasks>"
# of myapp-shop's web tasks of VERSION, from localaws's stats.
workloads() {
  curl -sf "$url/_localaws/stats" | /usr/bin/python3 -c '
import json, sys
ws = [w for w in json.load(sys.stdin)["workloads"] if w["environment"] == "myapp-shop" and w["version_label"] == sys.argv[1]]
print(len(ws), sum(w["ok"] for w in ws), sum(w["failed"] for w in ws), sum(1 for w in ws if w.get("stopped_at")))
for w in ws:
    for f in w["failures"][:3]:
        print("failure:", f, file=sys.stderr)
' "$1"
}
phases_step() {
  step=6
  local tfpid=""
  trap '[ -z "$tfpid" ] || kill "$tfpid" 2>/dev/null; exit 1' TERM
  tfp() {
    local name=$1 cmd=$2 rc=0
    shift 2
    (cd "$work/tf-phases" && exec "$TERRAFORM" "$cmd" -no-color "$@" >"$work/out/$name.txt" 2>&1) & tfpid=$!
    wait "$tfpid" || rc=$?
    tfpid=""
    cat "$work/out/$name.txt" >>"$log"
    return "$rc"
  }
  say "6/6  Zero-downtime release (on myapp-shop, alongside steps 1-5): v2 adds a column its code writes and drops one v1 reads; one apply migrates before_deploy, deploys, migrates after_deploy, while the web tasks serve"
  mkdir -p "$work/tf-phases" && cp "$here/phases/main.tf" "$work/tf-phases/main.tf"
  tfp record1 apply -auto-approve -var "endpoint=$url" -var app_version=v1 || fail 6 "the apply that records v1 failed"
  read -r tasks served failed _ <<<"$(workloads v1)"
  info "myapp-shop runs v1 on $tasks web tasks (seed.json's workload: each writes a product with its sku and reads the latest skus, 10 times a second); served so far: $served, failed: $failed"
  tfp plan2 plan -out=v2.tfplan -var "endpoint=$url" -var app_version=v2 || fail 6 "the plan of v2 failed"
  out plan2 | awk '/^Warning: Migration Phases/{p=1;print "    " $0;next} p&&/^Warning:/{exit} p&&!/^  (with|on) |^ *[0-9]+: |^$/{print "    " $0}'
  out plan2 | tr -d '\n ' | grep -q 'Beforethedeploy(before_deploy),whiletheoldversionstillserves:shop.0002_product_price_cents' || fail 6 "the plan does not put shop.0002_product_price_cents before the deploy"
  out plan2 | tr -d '\n ' | grep -q 'Afterthedeploy(after_deploy),oncethenewversionserves:shop.0003_remove_product_sku' || fail 6 "the plan does not put shop.0003_remove_product_sku after the deploy"
  tfp apply2 apply v2.tfplan || fail 6 "the apply of v2 failed"
  out apply2 | grep -E '^(ebmigrate_run\.(before|after)_deploy|terraform_data\.deploy): (Creat|Modif|Provision)[a-z]*[. ]' | sed 's/^/    /'
  out apply2 | awk '/^Warning: Migration Output/{p=1;n=0;print "    " $0;next} p&&/^  (ebmigrate|Applying|  Applying)/{print "    " $0} p&&/^$/{n++; if(n>=4)p=0}'
  out apply2 | grep -q "Applying shop.0002_product_price_cents... OK" || fail 6 "before_deploy did not apply shop.0002_product_price_cents"
  out apply2 | grep -q "Applying shop.0003_remove_product_sku... OK" || fail 6 "after_deploy did not apply shop.0003_remove_product_sku"
  applied=$(migrations shop.sqlite3)
  info "myapp-shop's django_migrations: $applied"
  [ "${applied##*, }" = "shop.0003_remove_product_sku" ] || fail 6 "shop.0003_remove_product_sku was not applied last"
  # v2's web tasks serve for a moment after the contraction.
  sleep 1
  read -r tasks1 served1 failed1 stopped1 <<<"$(workloads v1)"
  read -r tasks2 served2 failed2 _ <<<"$(workloads v2)"
  info "v1's $tasks1 web tasks served $served1 queries and failed $failed1 until the deploy replaced them ($stopped1 stopped);"
  info "v2's $tasks2 web tasks have served $served2 queries and failed $failed2"
  [ "$stopped1" = "$tasks1" ] && [ "$tasks1" -gt 0 ] || fail 6 "v1's web tasks were not replaced"
  [ "$served1" -gt 0 ] && [ "$served2" -gt 0 ] || fail 6 "a version served nothing"
  [ "$failed1" = 0 ] && [ "$failed2" = 0 ] || fail 6 "queries failed: v1 $failed1, v2 $failed2 ($(workloads v1 2>&1 >/dev/null; workloads v2 2>&1 >/dev/null))"
  info "Step 6 behaved as described: not one query of either version failed."
}

step=0
# myapp-shop runs v1, its database migrated to v1 before its web tasks
# start serving (with localaws).
DATABASE_PATH="$work/shop.sqlite3" DJANGO_SETTINGS_MODULE=shopsite.settings PYTHONDONTWRITEBYTECODE=1 \
  /usr/bin/python3 "$here/app/shop-v1/manage.py" migrate -v 0 >"$work/out/shop-v1.txt" 2>&1 \
  || fail 0 "migrating myapp-shop's database to v1 failed: $(tail -1 "$work/out/shop-v1.txt")"
say "Starting localaws: Elastic Beanstalk, ECS and CloudWatch Logs on 127.0.0.1"
"$LOCALAWS" -seed "$work/seed.json" >"$work/localaws.out" 2>&1 &
localaws_pid=$!
for _ in $(seq 100); do
  url=$(sed -n 's/^localaws listening on //p' "$work/localaws.out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail 0 "localaws did not start: $(cat "$work/localaws.out")"
info "environment myapp-prod (ECS platform, 2 instances) runs version v1 at $url"
phases_step >"$work/phases.txt" 2>&1 &
phases_pid=$!
# Read whole before it is matched: under pipefail, `version | head -1` fails
# now and then (head exits after the first line, and terraform, writing the
# next, dies of SIGPIPE): 6 of 200 such checks failed here, skipping the
# action step.
actions_version=$("$actions_tf" version 2>/dev/null || true)
if grep -Eq '^Terraform v(1\.(1[4-9]|[2-9][0-9])|[2-9])' <<<"${actions_version%%$'\n'*}"; then
  info "environment myapp-staging (1 instance) runs v4: the action step runs there, alongside steps 1-5"
  action_step >"$work/action.txt" 2>&1 &
  action_pid=$!
fi
# Which Python runs Django, and why not the python3 first on PATH.
django=$(/usr/bin/python3 -c 'import django; print(django.get_version())' 2>/dev/null || echo "missing: apt-get install python3-django")
info "Python: /usr/bin/python3, Debian's (Django $django): python3-django is Debian's package, so the app's"
info "images (seed.json) run manage.py with PATH=/usr/bin:/bin."
onpath=$(command -v python3 || true)
if [ -n "$onpath" ] && [ "$(readlink -f "$onpath")" != "$(readlink -f /usr/bin/python3)" ]; then
  info "The python3 first on your PATH is $onpath, another Python: it may lack Django."
fi

step=1
say "1/6  terraform apply with v1 deployed: the first migration"
tf apply1 apply -auto-approve -var app_version=v1 || fail 1 "the apply failed"
applied=$(migrations)
info "Django's django_migrations table now holds: $applied"
[ "$applied" = "notes.0001_initial, shop.0001_initial" ] || fail 1 "unexpected migrations: $applied"

step=2
say "2/6  Elastic Beanstalk deploys v2, which adds a migration; terraform plan -out shows what will run and saves it"
deploy v2
tf plan2 plan -out=v2.tfplan -var app_version=v2 || fail 2 "the plan failed"
out plan2 | awk '/Warning: Migration Will Run/{p=1} p&&/^$/{n++} p&&n<3{print "    " $0} n>=3{exit}' | sed '/^    $/d'
out plan2 | grep -q "Warning: Migration Will Run" || fail 2 "the plan has no warning"
pending=$(out plan2 | tr -d '\n ' | grep -o 'shop.0002_product_price_cents' | head -1 || true)
info "pending migrations (data.ebmigrate_pending_migrations): ${pending:-none}"
[ "$pending" = "shop.0002_product_price_cents" ] || fail 2 "the pending migration is not listed"

step=3
say "3/6  terraform apply v2.tfplan (the saved plan): the new migration runs, once, and the apply shows its last lines"
run "$work/tf" apply3 apply v2.tfplan || fail 3 "the apply failed"
out apply3 | awk '/^Warning: Migration Output/{p=1} p&&/^Apply complete/{exit} p{print "    " $0}' | sed -e '/^    $/d'
out apply3 | grep -q "^ *Applying shop.0002_product_price_cents\.\.\. OK$" || fail 3 "the apply does not show the migration's output"
applied=$(migrations)
info "django_migrations: $applied"
count=$(grep -o "shop.0002_product_price_cents" <<<"$applied" | wc -l)
[ "$count" = 1 ] || fail 3 "shop.0002_product_price_cents applied $count times"
# Elastic Beanstalk deploys step 4's version now, so that its plan runs
# alongside this step's second plan: both only read, each with a "migrate
# --plan" task, each in a copy of the configuration and state (a plan locks
# the state it reads). Step 4's apply then runs in that copy too (below).
deploy v3
tf_copy check3 plan -var app_version=v2 & check3=$!
tf_copy plan4 plan -out=v3.tfplan -var app_version=v3 & plan4=$!
plan4_rc=0; wait "$plan4" || plan4_rc=$?
# Step 5's three plans of v4 run alongside step 4's apply: the default
# review (warn), destructive_changes = "deny", and deny with the reviewed
# migration in allow_destructive, saved for step 5's apply. They only read
# the database, which v3's failing migration leaves as it was (it raises
# before writing anything, inside its transaction), and they ask the same of
# the same version at once, so they share one "migrate --plan" task. The
# saved one plans on the state here, and step 4's apply runs in step 4's
# copy: a failed apply changes the state it runs on (it records what its
# plan read), and Terraform refuses a saved plan once its state changed.
allow='allow_destructive=["shop.0003_remove_product_sku"]'
if [ "$plan4_rc" = 0 ]; then
  run "$work/tf-plan4" apply4 apply v3.tfplan & apply4=$!
  tf_copy warn5 plan -var app_version=v4 & warn5=$!
  tf_copy deny5 plan -var app_version=v4 -var destructive_changes=deny & deny5=$!
  tf plan5 plan -out=v4.tfplan -var app_version=v4 -var destructive_changes=deny -var "$allow" & plan5=$!
fi
wait "$check3" || fail 3 "the plan after the apply failed"
if out check3 | grep -Eq "Migration Will Run|ebmigrate_run.migrate must be replaced"; then fail 3 "a plan after the apply runs the migration again"; fi
out check3 | grep -Eq "^(No changes|Changes to Outputs)" || fail 3 "the plan after the apply did not finish"
info "a second plan with v2 runs nothing: it only records that nothing is pending any more"

step=4
say "4/6  Elastic Beanstalk has deployed v3, whose migration fails; terraform apply of its plan fails with Django's traceback"
[ "$plan4_rc" = 0 ] || fail 4 "the plan of v3 failed"
out plan4 | tr -d '\n ' | grep -q 'shop.0003_backfill_prices' || fail 4 "the plan of v3 does not list shop.0003_backfill_prices"
info "terraform plan -out=v3.tfplan (run alongside step 3's second plan) lists the pending shop.0003_backfill_prices"
if wait "$apply4"; then fail 4 "the apply of a failing migration succeeded"; fi
# awk reads all its input (no head under pipefail: a writer after head
# exits dies of SIGPIPE).
out apply4 | awk '/Error: Migration Failed/{p=1} p && !/^│ *$/ && n++ < 40 {print "    " $0}'
out apply4 | grep -q "RuntimeError: price backfill failed" || fail 4 "the diagnostic does not show Django's error"
state=$(cd "$work/tf-plan4" && "$TERRAFORM" state show -no-color ebmigrate_run.migrate | sed -n 's/^ *version_label *= *"\(.*\)"/\1/p')
info "the state still says version_label = \"$state\", so the next apply runs the migration again"
info "(this apply ran in the copy of the state its plan was made in: a failed apply records what its plan"
info "read, and Terraform would then refuse step 5's plan of v4, saved alongside, as stale)"
[ "$state" = "v2" ] || fail 4 "the state says $state"
if grep -q "demo-secret-that-never-reaches-terraform-state" "$work/tf-plan4/terraform.tfstate"; then fail 4 "an environment property value is in the state"; fi

step=5
say "5/6  v4 drops the column shop_product.sku: the plan (before v4 is deployed) lists its operations and flags the destructive one"
info "(its three plans ran alongside step 4's apply: they only read the database, which that apply left unchanged)"
wait "$warn5" || fail 5 "the plan failed"
out warn5 | awk '/^Warning: (Migration Will Run|Destructive Migration)/{p=1;n=0} p{print "    " $0} p&&/^$/{n++; if(n>=4)p=0}' | sed -e '/^    │ *$/d' -e '/^    $/d'
out warn5 | grep -q "Remove field sku from product   \[destructive\]" || fail 5 "the plan does not flag the removed field"
out warn5 | grep -q "Warning: Destructive Migration" || fail 5 "the plan has no destructive-change warning"
if wait "$deny5"; then fail 5 "a plan with destructive_changes = \"deny\" succeeded"; fi
out deny5 | awk '/Error: Destructive Migration Denied/{p=1} p && !/^│ *$/ && n++ < 14 {print "    " $0}'
out deny5 | grep -q "shop.0003_remove_product_sku: Remove field sku from product" || fail 5 "the error does not name the removed field"
wait "$plan5" || fail 5 "the plan with allow_destructive failed"
info "with allow_destructive = [\"shop.0003_remove_product_sku\"], the plan passes (saved: v4.tfplan) and the reviewed migration runs:"
run "$work/tf" apply5 apply v4.tfplan || fail 5 "the apply with allow_destructive failed"
applied=$(migrations)
info "django_migrations: $applied"
[ "${applied##*, }" = "shop.0003_remove_product_sku" ] || fail 5 "shop.0003_remove_product_sku was not applied last"
deploy v4
info "v4 deployed after its migration"

if [ -n "$action_pid" ]; then
  step=action
  if ! wait "$action_pid"; then action_pid=""; cat "$work/action.txt" >&2; exit 1; fi
  action_pid=""
  cat "$work/action.txt"
else
  say "Action step skipped: the ebmigrate_migrate action needs Terraform 1.14 or later (set TERRAFORM_ACTIONS to one; 'make terraform114' builds it)"
fi

step=6
if ! wait "$phases_pid"; then phases_pid=""; cat "$work/phases.txt" >&2; exit 1; fi
phases_pid=""
cat "$work/phases.txt"

say "All 6 steps behaved as described. Stopping localaws."
