#!/usr/bin/env bash
# Validate the FHIR Bundles with the HL7 FHIR Validator (FHIR.md, "Validation"). Optional: it needs Java 17+, the
# validator jar and network access to the FHIR package servers, none of which the project's own machines have.
#
#   .ci/fhir-validate.sh path/to/validator_cli.jar [site-url]
#
# Exports every pathway in R4B and R5 into .fhir-validate/ and validates each release against its core package and
# the CPG IG. Exits non-zero if the validator reports an error.
set -euo pipefail
jar="${1:?usage: .ci/fhir-validate.sh path/to/validator_cli.jar [site-url]}"
site_url="${2:-${SITE_URL:-https://site-url-not-set.invalid/}}"
python="${PYTHON:-.venv/bin/python}"
out=.fhir-validate
rm -rf "$out"
mkdir -p "$out/R4B" "$out/R5"
status=0
for release in R4B R5; do
  "$python" -m carepath export --format fhir --fhir-version "$release" --site-url "$site_url" --out "$out/$release"
  version=$([ "$release" = R4B ] && echo 4.3 || echo 5.0)
  java -jar "$jar" "$out/$release" -version "$version" -ig hl7.fhir.uv.cpg -output "$out/$release.outcome.json" || status=1
done
exit "$status"
