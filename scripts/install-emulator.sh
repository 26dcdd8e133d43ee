#!/usr/bin/env bash
# Installs the AWS emulators, pinned, into .emulator/: moto's server in a project-local virtual environment
# (.emulator/venv; Python) with cfn-lint and its serverless rules beside it (the infra tests lint every synthesized
# template), and ElasticMQ (.emulator/elasticmq; Maven).
#   install-emulator.sh            both: what the test suite needs (`npm test`, `npm run emulator:install`)
#   install-emulator.sh moto       moto and cfn-lint only;  install-emulator.sh elasticmq: ElasticMQ only
#   install-emulator.sh start      what `npm start` needs: moto when POSTBOX_EMULATOR=moto, else nothing
#                                  (fauxqs is an npm package; it uses moto for DynamoDB and CloudWatch when installed)
# Idempotent and quiet when the pinned versions are already there.
set -euo pipefail

want_moto=false
want_elasticmq=false
case "${1:-all}" in
  all) want_moto=true; want_elasticmq=true ;;
  moto) want_moto=true ;;
  elasticmq) want_elasticmq=true ;;
  start) [ "${POSTBOX_EMULATOR:-fauxqs}" = moto ] && want_moto=true ;;
  *) echo "install-emulator: unknown argument '$1'; use all, moto, elasticmq or start." >&2; exit 2 ;;
esac

MOTO_VERSION="5.2.5"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.emulator/venv"
stamp="$venv/.moto-$MOTO_VERSION"

if $want_moto && { [ ! -f "$stamp" ] || [ ! -x "$venv/bin/moto_server" ]; }; then
  python="${PYTHON:-python3}"
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "install-emulator: $python was not found; install Python 3.9+ or set PYTHON to its path." >&2
    exit 1
  fi
  echo "install-emulator: installing moto[server]==$MOTO_VERSION into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  touch "$stamp"
fi

# cfn-lint, pinned, with the serverless rules (module cfn_lint_serverless.rules, used with
# --append-rules). moto pulls cfn-lint in too: the pin keeps both on one version.
CFN_LINT_VERSION="1.58.0"
CFN_LINT_SERVERLESS_VERSION="0.3.6"
cfn_lint_stamp="$venv/.cfn-lint-$CFN_LINT_VERSION-serverless-$CFN_LINT_SERVERLESS_VERSION"
if $want_moto && { [ ! -f "$cfn_lint_stamp" ] || [ ! -x "$venv/bin/cfn-lint" ]; }; then
  echo "install-emulator: installing cfn-lint==$CFN_LINT_VERSION and cfn-lint-serverless==$CFN_LINT_SERVERLESS_VERSION into $venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$CFN_LINT_VERSION" "cfn-lint-serverless==$CFN_LINT_SERVERLESS_VERSION"
  touch "$cfn_lint_stamp"
fi

# ElasticMQ, pinned, from Maven Central: the SQS server that implements StartMessageMoveTask,
# which moto lacks. Its jars go to .emulator/elasticmq/lib.
ELASTICMQ_VERSION="1.7.1"
elasticmq="$root/.emulator/elasticmq"
elasticmq_stamp="$elasticmq/.elasticmq-$ELASTICMQ_VERSION"
if $want_elasticmq && [ ! -f "$elasticmq_stamp" ]; then
  if ! command -v mvn >/dev/null 2>&1; then
    echo "install-emulator: mvn (Maven) was not found; install it (apt-get install maven) to fetch ElasticMQ." >&2
    exit 1
  fi
  echo "install-emulator: fetching ElasticMQ $ELASTICMQ_VERSION from Maven Central into $elasticmq"
  rm -rf "$elasticmq"
  mkdir -p "$elasticmq"
  cat > "$elasticmq/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>postbox.local</groupId><artifactId>elasticmq-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.elasticmq</groupId><artifactId>elasticmq-server_2.13</artifactId><version>$ELASTICMQ_VERSION</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$elasticmq/pom.xml" dependency:copy-dependencies -DoutputDirectory="$elasticmq/lib"
  touch "$elasticmq_stamp"
fi
