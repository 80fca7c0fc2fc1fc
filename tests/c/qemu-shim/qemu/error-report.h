/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stand-in for QEMU's qemu/error-report.h; stubs.c prints to stderr. */

#ifndef QEMU_SHIM_ERROR_REPORT_H
#define QEMU_SHIM_ERROR_REPORT_H

void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
