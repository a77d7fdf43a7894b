"""Pushes a dataset folder (or a plain file) as an ORAS artifact with the independent `oras`
Python client, in the ORAS CLI's layout: each folder a tar+gzip layer titled by its name with
`io.deis.oras.content.unpack = "true"`, each file a plain layer, the OCI empty config.

usage: oras_push.py REGISTRY REPO:TAG ARTIFACT_TYPE DIR NAME... [--subject DIGEST SIZE]
Prints the pushed manifest's digest. Used by tests/fetch_registry.rs.
"""
import hashlib
import json
import os
import sys

import oras.oci
import oras.provider
import requests

EMPTY = "application/vnd.oci.empty.v1+json"


def main():
    registry, target, artifact_type, folder = sys.argv[1:5]
    rest = sys.argv[5:]
    subject = None
    if "--subject" in rest:
        i = rest.index("--subject")
        subject = oras.oci.Subject(
            mediaType="application/vnd.oci.image.manifest.v1+json", digest=rest[i + 1], size=int(rest[i + 2])
        )
        rest = rest[:i]
    names = rest
    client = oras.provider.Registry(registry, insecure=True)
    sent = {}
    original = client.upload_manifest

    def upload_manifest(manifest, container):
        # oras-py sets only the title; the ORAS CLI also marks folders for unpacking and
        # records the artifact type: add both before the manifest goes out.
        manifest["artifactType"] = artifact_type
        manifest["config"]["mediaType"] = EMPTY
        for layer in manifest["layers"]:
            if layer["mediaType"].endswith("tar+gzip"):
                layer.setdefault("annotations", {})["io.deis.oras.content.unpack"] = "true"
        sent["bytes"] = json.dumps(manifest).encode()
        return original(manifest, container)

    client.upload_manifest = upload_manifest
    os.chdir(folder)
    with open(".empty-config", "w") as f:
        f.write("{}")
    client.push(
        target=f"{registry}/{target}",
        files=names,
        manifest_config=".empty-config:" + EMPTY,
        subject=subject,
        quiet=True,
    )
    os.remove(".empty-config")
    repo, tag = target.rsplit(":", 1)
    # The digest the registry stored (oras-py serialises the manifest itself).
    r = requests.head(
        f"http://{registry}/v2/{repo}/manifests/{tag}",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    r.raise_for_status()
    digest = r.headers["Docker-Content-Digest"]
    size = int(r.headers["Content-Length"])
    if subject is not None:
        # Registries without the referrers API: the pusher keeps the `sha256-<hex>` tag index.
        index_tag = subject.digest.replace(":", "-")
        url = f"http://{registry}/v2/{repo}/manifests/{index_tag}"
        existing = requests.get(url, headers={"Accept": "application/vnd.oci.image.index.v1+json"})
        index = existing.json() if existing.ok else {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}
        index["manifests"].append({
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest, "size": size, "artifactType": artifact_type,
        })
        put = requests.put(url, data=json.dumps(index), headers={"Content-Type": "application/vnd.oci.image.index.v1+json"})
        put.raise_for_status()
    print(digest, size)


if __name__ == "__main__":
    main()
