// SPDX-License-Identifier: MIT
// virtio-fs, libvirt and hugepages exist only on Linux; saying so lets the analyzers accept Unix APIs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
