#ifndef ZOCHECK_CNUMERICS_SHIM_H
#define ZOCHECK_CNUMERICS_SHIM_H
// OpenBLAS's cblas first; then tell GSL its own cblas header is already "included" so that the
// CBLAS enums are declared once (two modules would clash on them) and GSL's slow gslcblas is not
// pulled in. The modulemap links openblas, which provides every cblas_* symbol GSL needs.
#include <x86_64-linux-gnu/cblas.h>
#define __GSL_CBLAS_H__
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>

// Swift 6 rejects mutable C globals as not concurrency-safe; wrap what we need.
static inline void zo_gsl_disable_abort(void) { gsl_set_error_handler_off(); }
#endif
