"""Every request passes through the site's layers, composed in cakupan/site/layers.py."""

from datasette import hookimpl

from cakupan.site.layers import compose


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: compose(app, datasette)
