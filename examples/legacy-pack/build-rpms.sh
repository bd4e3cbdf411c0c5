#!/bin/sh
# Rebuilds the example RPMs in rpms/ from specs/ with rpmbuild (apt-get install rpm).
# The RPMs are committed so that the README's main command needs nothing but Node.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
for spec in "$here"/specs/*.spec; do
  SOURCE_DATE_EPOCH=1700000000 rpmbuild -bb --nodeps \
    --define "_topdir $top" --define 'debug_package %{nil}' \
    --define '_buildhost build.example.invalid' \
    --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1' \
    --define '_binary_payload w9.gzdio' "$spec" >"$top/log" 2>&1 || { cat "$top/log"; exit 1; }
done
rm -f "$here"/rpms/*.rpm
cp "$top"/RPMS/*/*.rpm "$here"/rpms/
ls "$here"/rpms
