// SPDX-License-Identifier: MIT
using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;

namespace VirtioFs.Domain;

/// <summary>
/// A unified diff of two texts, line by line (LCS). Domain XML is a few hundred lines, so the
/// quadratic table is cheap, and the output is what an admin knows from diff -u.
/// </summary>
internal static class LineDiff
{
    public static string Unified(string before, string after, string fromLabel, string toLabel, int context = 3)
    {
        var a = Split(before);
        var b = Split(after);
        var ops = Compute(a, b);
        var sb = new StringBuilder();
        sb.Append("--- ").Append(fromLabel).Append('\n');
        sb.Append("+++ ").Append(toLabel).Append('\n');
        int i = 0;
        while (i < ops.Count)
        {
            if (ops[i].Kind == ' ')
            {
                i++;
                continue;
            }
            int start = Math.Max(0, i - context);
            int end = i;
            // Extend the hunk while changes are within 2*context lines of each other.
            int lastChange = i;
            while (end < ops.Count)
            {
                if (ops[end].Kind != ' ')
                {
                    lastChange = end;
                }
                else if (end - lastChange > 2 * context)
                {
                    break;
                }
                end++;
            }
            end = Math.Min(ops.Count, lastChange + context + 1);
            int aStart = ops[start].A, bStart = ops[start].B;
            int aLen = 0, bLen = 0;
            for (int k = start; k < end; k++)
            {
                if (ops[k].Kind != '+') aLen++;
                if (ops[k].Kind != '-') bLen++;
            }
            sb.Append("@@ -").Append(aStart + 1).Append(',').Append(aLen)
              .Append(" +").Append(bStart + 1).Append(',').Append(bLen).Append(" @@\n");
            for (int k = start; k < end; k++)
            {
                sb.Append(ops[k].Kind).Append(ops[k].Text).Append('\n');
            }
            i = end;
        }
        return sb.ToString();
    }

    public static bool HasChanges(string before, string after) => !string.Equals(before, after, StringComparison.Ordinal);

    private readonly record struct Op(char Kind, string Text, int A, int B);

    private static List<Op> Compute(string[] a, string[] b)
    {
        int n = a.Length, m = b.Length;
        // The table, row by row in one array borrowed from the pool: every edit asks for a diff (ShouldProcess
        // shows it), and a fresh (n+1)x(m+1) table for a 200-line domain is 160 KB of garbage, past the
        // large-object threshold, each time.
        int w = m + 1;
        int[] lcs = ArrayPool<int>.Shared.Rent((n + 1) * w);
        try
        {
            Array.Clear(lcs, n * w, w); // row n: past the end of a
            for (int x = n - 1; x >= 0; x--)
            {
                int row = x * w, below = row + w;
                lcs[row + m] = 0; // column m: past the end of b
                for (int y = m - 1; y >= 0; y--)
                {
                    lcs[row + y] = a[x] == b[y] ? lcs[below + y + 1] + 1 : Math.Max(lcs[below + y], lcs[row + y + 1]);
                }
            }
            var ops = new List<Op>(Math.Max(n, m) + 8);
            int p = 0, q = 0;
            while (p < n || q < m)
            {
                if (p < n && q < m && a[p] == b[q])
                {
                    ops.Add(new Op(' ', a[p], p, q));
                    p++;
                    q++;
                }
                else if (p < n && (q == m || lcs[(p + 1) * w + q] >= lcs[p * w + q + 1]))
                {
                    // Deletions first, as diff -u prints them.
                    ops.Add(new Op('-', a[p], p, q));
                    p++;
                }
                else
                {
                    ops.Add(new Op('+', b[q], p, q));
                    q++;
                }
            }
            return ops;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lcs);
        }
    }

    private static string[] Split(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
}
