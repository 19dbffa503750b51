// SPDX-License-Identifier: MIT
using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace VirtioFs.Domain;

/// <summary>What is wrong with an option's value: a stable error id and the message.</summary>
internal sealed record OptionProblem(string ErrorId, string Message, string? Fix = null);
