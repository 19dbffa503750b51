// SPDX-License-Identifier: MIT
using System;

namespace VirtioFs.Domain;

/// <summary>
/// What an option's context rule (ShareOption.ContextRule) may look at: the libvirt the share is written for, its
/// version and whether it runs virtiofsd as root. Null members are unknown (an XML file), and a rule then stays silent.
/// </summary>
internal sealed record OptionContext(string? Uri, Version? LibvirtVersion, bool? DaemonRunsAsRoot);
