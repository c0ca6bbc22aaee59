/* mydata.h - the My Data program's pages, one file each. The route table
 * is in mydata.c.
 *   request.c   users.requestDataDownload (queue a job, Rocket.Chat's
 *               24-hour reuse), users.dataDownloadStatus (ours: the last
 *               job of each kind, for the page's polling)
 *   download.c  GET /data-export/<id>: the owner's archive from GridFS */
#ifndef MA_MYDATA_H
#define MA_MYDATA_H

#include "request.h"

enum { RQ_FULL_EXPORT };
extern const struct field request_query[];

void request_download(struct request *req);
void download_status(struct request *req);
void download_file(struct request *req);

#endif
